using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Protocol.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>POST /chat/completions and POST /completions.</summary>
internal static class ChatEndpoints
{
    public static Task ChatCompletionsAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/chat/completions", async (call, ct) =>
        {
            var (request, body) = await InferenceService.ReadWithBodyAsync(context, GatewayJson.Context.ChatCompletionRequest, ct).ConfigureAwait(false);
            var parsed = InferenceService.Parse(() => ChatRequestParser.Parse(request, call.Caller, body));
            call.UseMetadataOf(parsed.Options); // before admission: the request's customer (user) is held to its block and budget
            await service.AdmitAsync(call, parsed.Model, parsed.Messages, parsed.Options, ct).ConfigureAwait(false);
            if (parsed.Stream)
            {
                var updates = service.Pipeline.GetStreamingResponseAsync(parsed.Messages, parsed.Options, ct);
                await StreamPump.RunAsync(call, updates, new ChatStreamShaper(call, parsed.Model, parsed.IncludeUsage), service.Options.StreamKeepAliveInterval, ct).ConfigureAwait(false);
                return;
            }

            var response = await CallAsync(call, service.Pipeline, parsed.Messages, parsed.Options, ct).ConfigureAwait(false);
            if (ChatResponseWriter.ProviderJson(response, call.Id, parsed.Model) is { } same)
            {
                await WriteBytesAsync(call, same, ct).ConfigureAwait(false);
                return;
            }

            var completion = ChatResponseWriter.ToCompletion(response, call.Id, parsed.Model);
            await WriteJsonAsync(call, completion, GatewayJson.Context.ChatCompletionResponse, ct).ConfigureAwait(false);
        });
    }

    public static Task CompletionsAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/completions", async (call, ct) =>
        {
            var request = await InferenceService.ReadAsync(context, GatewayJson.Context.CompletionRequest, ct).ConfigureAwait(false);
            var model = ChatRequestParser.RequireModel(request.Model);
            if (request.N is { } n && n != 1)
            {
                throw GatewayErrors.Invalid($"n={n} is not supported: the gateway returns exactly one choice.", "n", "unsupported_parameter");
            }

            var (messages, options) = InferenceService.Parse(() =>
            {
                var prompt = request.Prompt switch
                {
                    { ValueKind: JsonValueKind.String } s => s.GetString()!,
                    { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() == 1 && a[0].ValueKind == JsonValueKind.String => a[0].GetString()!,
                    { ValueKind: JsonValueKind.Array } => throw GatewayErrors.Invalid("'prompt' must be one string; batches of prompts are not supported.", "prompt"),
                    _ => throw GatewayErrors.Invalid("'prompt' is required and must be a string.", "prompt"),
                };
                List<ChatMessage> list = [new(ChatRole.User, prompt)];
                var chatOptions = new ChatOptions
                {
                    ModelId = model,
                    MaxOutputTokens = request.MaxTokens,
                    Temperature = request.Temperature,
                    TopP = request.TopP,
                    Seed = request.Seed,
                    StopSequences = ChatRequestParser.ParseStop(request.Stop),
                    AdditionalProperties = ChatRequestParser.PassThrough(request.Extra),
                };
                return (list, chatOptions);
            });
            (options.AdditionalProperties ??= [])["metadata"] = ChatRequestParser.Metadata(call.Caller, null, request.User);
            call.UseMetadataOf(options);
            await service.AdmitAsync(call, model, messages, options, ct).ConfigureAwait(false);
            if (request.Stream is true)
            {
                var updates = service.Pipeline.GetStreamingResponseAsync(messages, options, ct);
                await StreamPump.RunAsync(call, updates, new TextCompletionShaper(call, model, request.StreamOptions?.IncludeUsage ?? false), service.Options.StreamKeepAliveInterval, ct).ConfigureAwait(false);
                return;
            }

            var response = await CallAsync(call, service.Pipeline, messages, options, ct).ConfigureAwait(false);
            var body = new TextCompletionResponse
            {
                Id = ChatResponseWriter.ResponseId(null, call.Id, "cmpl-"),
                Created = (response.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
                Model = response.ModelId ?? model,
                Choices = [new TextChoiceDto { Text = response.Text, FinishReason = ChatResponseWriter.FinishReason(response.FinishReason, false) }],
                Usage = ChatResponseWriter.Usage(response.Usage) ?? new UsageDto(),
            };
            await WriteJsonAsync(call, body, GatewayJson.Context.TextCompletionResponse, ct).ConfigureAwait(false);
        });
    }

    /// <summary>Calls the pipeline once, timing it and taking the facts it reports.</summary>
    public static async Task<ChatResponse> CallAsync(InferenceCall call, IChatClient pipeline, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await pipeline.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            call.Absorb(response.AdditionalProperties);
            call.ModelId = response.ModelId;
            if (response.Usage is { } usage)
            {
                call.AbsorbUsage(usage);
            }

            return response;
        }
        finally
        {
            call.AddPipelineTime(started);
        }
    }

    public static Task WriteJsonAsync<T>(InferenceCall call, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        => WriteBytesAsync(call, JsonSerializer.SerializeToUtf8Bytes(body, typeInfo), cancellationToken);

    /// <summary>Writes a finished JSON body with the call's headers.</summary>
    public static async Task WriteBytesAsync(InferenceCall call, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(bytes);
        call.ApplyHeaders();
        var response = call.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Legacy text-completion streaming: text chunks, a finish chunk, the optional usage chunk, [DONE].</summary>
internal sealed class TextCompletionShaper(InferenceCall call, string model, bool includeUsage) : IStreamShaper
{
    private readonly string _id = ChatResponseWriter.ResponseId(null, call.Id, "cmpl-");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private ChatFinishReason? _finish;

    public IEnumerable<SseItem<object>> OnUpdate(ChatResponseUpdate update)
    {
        _finish ??= update.FinishReason;
        var text = update.Text;
        if (text.Length > 0)
        {
            yield return Chunk(text, null);
        }
    }

    public IEnumerable<SseItem<object>> OnEnd()
    {
        yield return Chunk(string.Empty, ChatResponseWriter.FinishReason(_finish, false));
        if (includeUsage)
        {
            yield return new SseItem<object>(new TextCompletionResponse { Id = _id, Created = _created, Model = model, Choices = [], Usage = ChatResponseWriter.Usage(call.Usage) ?? new UsageDto() });
        }

        yield return StreamPump.DoneItem;
    }

    public SseItem<object> OnError(GatewayError error) => new(GatewayErrors.ToBody(error));

    private SseItem<object> Chunk(string text, string? finish)
        => new(new TextCompletionResponse { Id = _id, Created = _created, Model = model, Choices = [new TextChoiceDto { Text = text, FinishReason = finish }] });
}
