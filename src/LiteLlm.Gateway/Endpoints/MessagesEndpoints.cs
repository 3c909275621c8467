using System.Net.ServerSentEvents;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>
/// POST /v1/messages: the Anthropic Messages API over the same pipeline. Both auth styles are accepted: an
/// <c>x-api-key</c> header is presented to <see cref="IRequestGate"/> as <c>Authorization: Bearer</c> when the
/// request has no Authorization header, so gates read one header. Errors use Anthropic's error shape.
/// </summary>
internal static class MessagesEndpoints
{
    public static Task MessagesAsync(HttpContext context)
    {
        NormalizeAuth(context.Request);
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/v1/messages", async (call, ct) =>
        {
            var request = await InferenceService.ReadAsync(context, GatewayJson.Context.AnthropicRequest, ct).ConfigureAwait(false);
            var (model, messages, options) = InferenceService.Parse(() => AnthropicTranslator.Parse(request, call.Caller));
            await service.AdmitAsync(call, model, InferenceService.EstimateTokens(messages, options.MaxOutputTokens), ct).ConfigureAwait(false);
            if (request.Stream is true)
            {
                var updates = service.Pipeline.GetStreamingResponseAsync(messages, options, ct);
                await StreamPump.RunAsync(call, updates, new AnthropicStreamShaper(call, model), service.Options.StreamKeepAliveInterval, ct).ConfigureAwait(false);
                return;
            }

            var response = await ChatEndpoints.CallAsync(call, service.Pipeline, messages, options, ct).ConfigureAwait(false);
            await ChatEndpoints.WriteJsonAsync(call, AnthropicTranslator.ToResponse(response, call.Id, model), GatewayJson.Context.AnthropicResponse, ct).ConfigureAwait(false);
        }, WriteErrorAsync);
    }

    internal static void NormalizeAuth(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers.Authorization) && request.Headers["x-api-key"] is { Count: > 0 } key && !string.IsNullOrEmpty(key[0]))
        {
            request.Headers.Authorization = "Bearer " + key[0];
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, GatewayError error)
    {
        context.Response.StatusCode = error.Status;
        GatewayErrors.ApplyHeaders(context.Response, error);
        context.Response.ContentType = "application/json";
        var body = new AnthropicErrorResponse { Error = new AnthropicErrorBody { Type = GatewayErrors.AnthropicType(error.Status), Message = error.Message } };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, GatewayJson.Context.AnthropicErrorResponse, context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>Anthropic Messages ⇄ MEAI.</summary>
internal static class AnthropicTranslator
{
    public static (string Model, List<ChatMessage> Messages, ChatOptions Options) Parse(AnthropicRequest request, CallerIdentity caller)
    {
        var model = ChatRequestParser.RequireModel(request.Model);
        if (request.MaxTokens is not { } maxTokens || maxTokens < 1)
        {
            throw GatewayErrors.Invalid("max_tokens: Field required (a positive integer).", "max_tokens");
        }

        if (request.Messages is not { Count: > 0 } input)
        {
            throw GatewayErrors.Invalid("messages: must be a non-empty array.", "messages");
        }

        var messages = new List<ChatMessage>();
        if (request.System is { ValueKind: not JsonValueKind.Null } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, ChatRequestParser.Text(system, "system")));
        }

        for (var i = 0; i < input.Count; i++)
        {
            AddMessage(messages, input[i] ?? throw GatewayErrors.Invalid($"messages[{i}] must be an object.", $"messages[{i}]"), $"messages[{i}]");
        }

        var options = new ChatOptions
        {
            ModelId = model,
            MaxOutputTokens = maxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            StopSequences = request.StopSequences is { Count: > 0 } stops ? stops : null,
            AdditionalProperties = ChatRequestParser.PassThrough(request.Extra),
        };
        if (request.Tools is { Count: > 0 } tools)
        {
            var list = new List<AITool>();
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i] ?? throw GatewayErrors.Invalid($"tools[{i}] must be an object.", $"tools[{i}]");
                if (tool.Type is not (null or "custom") || string.IsNullOrEmpty(tool.Name))
                {
                    throw GatewayErrors.Invalid($"tools[{i}]: only custom tools with a name and input_schema are supported.", $"tools[{i}]");
                }

                var schema = tool.InputSchema is { ValueKind: JsonValueKind.Object } s ? s : JsonDocument.Parse("""{"type":"object"}""").RootElement;
                list.Add(AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, schema, null));
            }

            options.Tools = list;
        }

        if (request.ToolChoice is { } choice)
        {
            options.ToolMode = choice.Type switch
            {
                "auto" or null => ChatToolMode.Auto,
                "any" => ChatToolMode.RequireAny,
                "none" => ChatToolMode.None,
                "tool" when !string.IsNullOrEmpty(choice.Name) => ChatToolMode.RequireSpecific(choice.Name),
                _ => throw GatewayErrors.Invalid("tool_choice.type must be auto, any, tool (with name) or none.", "tool_choice"),
            };
            if (choice.DisableParallelToolUse is true)
            {
                options.AllowMultipleToolCalls = false;
            }
        }

        options.AdditionalProperties["metadata"] = ChatRequestParser.Metadata(caller, null, request.Metadata?.UserId);
        return (model, messages, options);
    }

    private static void AddMessage(List<ChatMessage> messages, AnthropicMessageDto dto, string path)
    {
        var role = dto.Role switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            _ => throw GatewayErrors.Invalid($"{path}.role must be 'user' or 'assistant'.", path + ".role"),
        };

        switch (dto.Content)
        {
            case { ValueKind: JsonValueKind.String } s:
                messages.Add(new ChatMessage(role, s.GetString()));
                return;
            case { ValueKind: JsonValueKind.Array } blocks:
                var contents = new List<AIContent>();
                var results = new List<AIContent>();
                var i = 0;
                foreach (var block in blocks.EnumerateArray())
                {
                    var at = $"{path}.content[{i++}]";
                    switch (ChatRequestParser.Str(block, "type"))
                    {
                        case "text":
                            contents.Add(new TextContent(ChatRequestParser.Str(block, "text") ?? string.Empty));
                            break;
                        case "image":
                            contents.Add(Image(block, at));
                            break;
                        case "tool_use" when role == ChatRole.Assistant:
                            var input = block.TryGetProperty("input", out var inp) && inp.ValueKind == JsonValueKind.Object
                                ? inp.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
                                : new Dictionary<string, object?>();
                            contents.Add(new FunctionCallContent(
                                ChatRequestParser.Str(block, "id") ?? throw GatewayErrors.Invalid($"{at}.id is required.", at + ".id"),
                                ChatRequestParser.Str(block, "name") ?? throw GatewayErrors.Invalid($"{at}.name is required.", at + ".name"),
                                input));
                            break;
                        case "tool_result" when role == ChatRole.User:
                            var id = ChatRequestParser.Str(block, "tool_use_id") ?? throw GatewayErrors.Invalid($"{at}.tool_use_id is required.", at + ".tool_use_id");
                            var text = block.TryGetProperty("content", out var c) ? ChatRequestParser.Text(TextBlocksOnly(c), at + ".content") : string.Empty;
                            results.Add(new FunctionResultContent(id, text));
                            break;
                        case "thinking" or "redacted_thinking":
                            break; // prior reasoning is not replayed to other providers
                        case var other:
                            throw GatewayErrors.Invalid($"{at}.type '{other}' is not supported here.", at + ".type");
                    }
                }

                // Tool results travel in their own tool message, before the rest of the user's turn.
                if (results.Count > 0)
                {
                    messages.Add(new ChatMessage(ChatRole.Tool, results));
                }

                if (contents.Count > 0 || results.Count == 0)
                {
                    messages.Add(new ChatMessage(role, contents));
                }

                return;
            default:
                throw GatewayErrors.Invalid($"{path}.content must be a string or an array of content blocks.", path + ".content");
        }
    }

    private static JsonElement TextBlocksOnly(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            return content;
        }

        // tool_result content may mix text and images; the text is what every provider accepts.
        var texts = content.EnumerateArray().Where(b => ChatRequestParser.Str(b, "type") == "text").Select(b => b.Clone()).ToList();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var t in texts)
            {
                t.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement;
    }

    private static AIContent Image(JsonElement block, string path)
    {
        if (!block.TryGetProperty("source", out var source))
        {
            throw GatewayErrors.Invalid($"{path}.source is required.", path + ".source");
        }

        switch (ChatRequestParser.Str(source, "type"))
        {
            case "base64":
                try
                {
                    return new DataContent(Convert.FromBase64String(ChatRequestParser.Str(source, "data") ?? string.Empty), ChatRequestParser.Str(source, "media_type") ?? "image/png");
                }
                catch (FormatException)
                {
                    throw GatewayErrors.Invalid($"{path}.source.data is not valid base64.", path + ".source.data");
                }

            case "url" when Uri.TryCreate(ChatRequestParser.Str(source, "url"), UriKind.Absolute, out var uri):
                return new UriContent(uri, "image/*");
            default:
                throw GatewayErrors.Invalid($"{path}.source must be base64 or url.", path + ".source");
        }
    }

    public static AnthropicResponse ToResponse(ChatResponse response, string callId, string model)
    {
        var blocks = new List<AnthropicBlockDto>();
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextContent t when blocks.Count > 0 && blocks[^1].Type == "text":
                    blocks[^1].Text += t.Text;
                    break;
                case TextContent t:
                    blocks.Add(new AnthropicBlockDto { Type = "text", Text = t.Text });
                    break;
                case FunctionCallContent fc:
                    blocks.Add(new AnthropicBlockDto { Type = "tool_use", Id = fc.CallId, Name = fc.Name, Input = JsonDocument.Parse(ChatResponseWriter.Arguments(fc)).RootElement });
                    break;
            }
        }

        return new AnthropicResponse
        {
            Id = ChatResponseWriter.ResponseId(response.ResponseId, callId, "msg_"),
            Model = response.ModelId ?? model,
            Content = blocks,
            StopReason = StopReason(response.FinishReason, blocks.Exists(b => b.Type == "tool_use")),
            Usage = Usage(response.Usage),
        };
    }

    public static string StopReason(ChatFinishReason? reason, bool toolUse) => reason?.Value switch
    {
        "length" => "max_tokens",
        "tool_calls" => "tool_use",
        "content_filter" => "refusal",
        null when toolUse => "tool_use",
        _ => "end_turn",
    };

    public static AnthropicUsageDto Usage(UsageDetails? usage) => new()
    {
        InputTokens = (usage?.InputTokenCount ?? 0) - (usage?.CachedInputTokenCount ?? 0),
        OutputTokens = usage?.OutputTokenCount ?? 0,
        CacheReadInputTokens = usage?.CachedInputTokenCount,
    };
}

/// <summary>Anthropic streaming events: message_start, content_block_start/delta/stop per block, message_delta, message_stop.</summary>
internal sealed class AnthropicStreamShaper(InferenceCall call, string model) : IStreamShaper
{
    private bool _started;
    private int _index = -1;
    private string? _openType;
    private bool _sawToolUse;
    private ChatFinishReason? _finish;

    public IEnumerable<SseItem<object>> OnUpdate(ChatResponseUpdate update)
    {
        if (!_started)
        {
            _started = true;
            yield return Event(new AnthropicStreamEvent
            {
                Type = "message_start",
                Message = new AnthropicResponse
                {
                    Id = ChatResponseWriter.ResponseId(update.ResponseId, call.Id, "msg_"),
                    Model = update.ModelId ?? model,
                    Content = [],
                    Usage = new AnthropicUsageDto { InputTokens = 0, OutputTokens = 0 },
                },
            });
        }

        _finish ??= update.FinishReason;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    if (_openType != "text")
                    {
                        foreach (var e in Close())
                        {
                            yield return e;
                        }

                        yield return Open("text", new AnthropicBlockDto { Type = "text", Text = string.Empty });
                    }

                    yield return Event(new AnthropicStreamEvent { Type = "content_block_delta", Index = _index, Delta = new AnthropicDeltaDto { Type = "text_delta", Text = text.Text } });
                    break;
                case FunctionCallContent fc:
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    _sawToolUse = true;
                    yield return Open("tool_use", new AnthropicBlockDto { Type = "tool_use", Id = fc.CallId, Name = fc.Name, Input = EmptyObject });
                    yield return Event(new AnthropicStreamEvent { Type = "content_block_delta", Index = _index, Delta = new AnthropicDeltaDto { Type = "input_json_delta", PartialJson = ChatResponseWriter.Arguments(fc) } });
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    break;
            }
        }
    }

    public IEnumerable<SseItem<object>> OnEnd()
    {
        if (!_started)
        {
            foreach (var e in OnUpdate(new ChatResponseUpdate()))
            {
                yield return e;
            }
        }

        foreach (var e in Close())
        {
            yield return e;
        }

        var usage = AnthropicTranslator.Usage(call.Usage);
        yield return Event(new AnthropicStreamEvent
        {
            Type = "message_delta",
            Delta = new AnthropicDeltaDto { StopReason = AnthropicTranslator.StopReason(_finish, _sawToolUse) },
            Usage = usage,
        });
        yield return Event(new AnthropicStreamEvent { Type = "message_stop" });
    }

    public SseItem<object> OnError(GatewayError error)
        => Event(new AnthropicStreamEvent { Type = "error", Error = new AnthropicErrorBody { Type = GatewayErrors.AnthropicType(error.Status), Message = error.Message } });

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private static SseItem<object> Event(AnthropicStreamEvent e) => new(e, e.Type);

    private SseItem<object> Open(string type, AnthropicBlockDto block)
    {
        _index++;
        _openType = type;
        return Event(new AnthropicStreamEvent { Type = "content_block_start", Index = _index, ContentBlock = block });
    }

    private IEnumerable<SseItem<object>> Close()
    {
        if (_openType is not null)
        {
            _openType = null;
            yield return Event(new AnthropicStreamEvent { Type = "content_block_stop", Index = _index });
        }
    }
}
