using System.Text.Json;
using LiteLlm.Configuration;
using LiteLlm.Cost;
using LiteLlm.Errors;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Protocol.Anthropic;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>
/// POST /v1/messages and /v1/messages/count_tokens: the Anthropic Messages API over the same pipeline. Both auth styles
/// are accepted: an <c>x-api-key</c> header is presented to <see cref="IRequestGate"/> as <c>Authorization: Bearer</c> when
/// the request has no Authorization header, so gates read one header. Errors use Anthropic's error shape.
/// </summary>
/// <remarks>
/// To an Anthropic deployment the caller's body and <c>anthropic-beta</c> / <c>anthropic-version</c> headers go as sent
/// (only <c>model</c> changes) and the answer, every stream event included, comes back as Anthropic sent it. To other
/// providers the request is translated, and what they cannot express is refused (docs/fidelity-anthropic.md).
/// </remarks>
internal static class MessagesEndpoints
{
    /// <summary>The caller's protocol headers an Anthropic deployment receives.</summary>
    private static readonly string[] ForwardedHeaders = ["anthropic-version", "anthropic-beta"];

    public static Task MessagesAsync(HttpContext context)
    {
        NormalizeAuth(context.Request);
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/v1/messages", async (call, ct) =>
        {
            var parsed = await ReadAsync(context, service.Runtime, call.Caller, countOnly: false, ct).ConfigureAwait(false);
            var (model, messages, options, stream) = parsed;
            call.UseMetadataOf(options); // metadata.user_id is the customer, as LiteLLM maps it
            await service.AdmitAsync(call, model, messages, options, ct).ConfigureAwait(false);
            if (stream)
            {
                var updates = service.Pipeline.GetStreamingResponseAsync(messages, options, ct);
                await StreamPump.RunAsync(call, updates, new AnthropicStreamShaper(call, model), service.Options.StreamKeepAliveInterval, ct).ConfigureAwait(false);
                return;
            }

            var response = await ChatEndpoints.CallAsync(call, service.Pipeline, messages, options, ct).ConfigureAwait(false);
            await AnthropicResponseTranslator.WriteAsync(call, AnthropicResponseTranslator.Serialize(response, call.Id, model), ct).ConfigureAwait(false);
        }, AnthropicErrors.WriteAsync);
    }

    /// <summary>
    /// POST /v1/messages/count_tokens: Anthropic's own count for a group with an Anthropic deployment, the tokenizer's
    /// estimate otherwise; keys, model access and rate limits apply, and nothing is billed (no spend record).
    /// </summary>
    public static Task CountTokensAsync(HttpContext context)
    {
        NormalizeAuth(context.Request);
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/v1/messages/count_tokens", async (call, ct) =>
        {
            var (model, messages, options, _) = await ReadAsync(context, service.Runtime, call.Caller, countOnly: true, ct).ConfigureAwait(false);
            await service.AdmitAsync(call, model, 0, ct).ConfigureAwait(false);
            call.ReachedPipeline = false; // a count is not a call: no spend record, no cost against budgets

            var tokens = await CountAsync(service.Runtime, model, messages, options, ct).ConfigureAwait(false);
            var body = new System.Buffers.ArrayBufferWriter<byte>(32);
            using (var writer = new Utf8JsonWriter(body))
            {
                writer.WriteStartObject();
                writer.WriteNumber("input_tokens", tokens);
                writer.WriteEndObject();
            }

            await AnthropicResponseTranslator.WriteAsync(call, body.WrittenSpan.ToArray(), ct).ConfigureAwait(false);
        }, AnthropicErrors.WriteAsync);
    }

    internal static void NormalizeAuth(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers.Authorization) && request.Headers["x-api-key"] is { Count: > 0 } key && !string.IsNullOrEmpty(key[0]))
        {
            request.Headers.Authorization = "Bearer " + key[0];
        }
    }

    private static async Task<ParsedAnthropicRequest> ReadAsync(HttpContext context, LiteLlmRuntime runtime, CallerIdentity caller, bool countOnly, CancellationToken ct)
    {
        if (context.Request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayRequestException(new GatewayError(415, $"Content-Type must be application/json; got '{contentType}'.", "invalid_request_error", "unsupported_media_type"));
        }

        // The body is kept as JSON (it is what an Anthropic deployment receives); the typed view is read from it.
        var root = await JsonSerializer.DeserializeAsync(context.Request.Body, GatewayJson.Context.JsonElement, ct).ConfigureAwait(false);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw GatewayErrors.Invalid("The request body must be a JSON object.");
        }

        var request = root.Deserialize(GatewayJson.Context.AnthropicRequest)!;
        if (countOnly)
        {
            request.MaxTokens ??= 1; // count_tokens takes no max_tokens
        }

        var target = Target(runtime, AnthropicRequestTranslator.RequireModel(request.Model));
        return InferenceService.Parse(() => AnthropicRequestTranslator.Parse(root, request, caller, Headers(context.Request), target));
    }

    private static Dictionary<string, string>? Headers(HttpRequest request)
    {
        Dictionary<string, string>? headers = null;
        foreach (var name in ForwardedHeaders)
        {
            if (request.Headers[name] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]))
            {
                (headers ??= new(StringComparer.OrdinalIgnoreCase))[name] = string.Join(',', values.ToArray());
            }
        }

        return headers;
    }

    /// <summary>Whether every deployment of <paramref name="model"/> speaks Anthropic Messages (unknown groups are a 404 here).</summary>
    private static AnthropicTarget Target(LiteLlmRuntime runtime, string model)
    {
        foreach (var state in runtime.Router.DeploymentsOf(model))
        {
            var deployment = state.Deployment;
            if (Protocol(runtime, deployment.Model, deployment.Client)?.Protocol != ProviderProtocol.Anthropic)
            {
                return new AnthropicTarget(false, Protocol(runtime, deployment.Model, null)?.Name ?? "custom");
            }
        }

        return new AnthropicTarget(true, null);
    }

    private static ProviderDescriptor? Protocol(LiteLlmRuntime runtime, string model, IChatClient? custom)
    {
        if (custom is not null)
        {
            return null;
        }

        try
        {
            return runtime.Factory.Resolve(model).Provider;
        }
        catch (UnknownModelException)
        {
            return null;
        }
    }

    private static async Task<long> CountAsync(LiteLlmRuntime runtime, string model, List<ChatMessage> messages, ChatOptions options, CancellationToken ct)
    {
        var deployments = runtime.Router.DeploymentsOf(model);
        foreach (var state in deployments)
        {
            var deployment = state.Deployment;
            if (Protocol(runtime, deployment.Model, deployment.Client) is { Protocol: ProviderProtocol.Anthropic })
            {
                var client = runtime.Factory.CreateChatClient(deployment.Model, deployment.Provider);
                if (await client.CountInputTokensAsync(messages, options, ct).ConfigureAwait(false) is { } counted)
                {
                    return counted;
                }
            }
        }

        return TokenCounter.CountTokens(messages, deployments.Count > 0 ? deployments[0].Deployment.Model : model, options.Tools);
    }
}
