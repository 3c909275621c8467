using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;
using LiteLlm.Providers.Http;

namespace LiteLlm.Providers.Bedrock;

/// <summary>
/// Bedrock Converse (<c>POST model/{id}/converse</c>) and ConverseStream (<c>/converse-stream</c>,
/// an <c>application/vnd.amazon.eventstream</c> body) as an <see cref="IChatClient"/>.
/// </summary>
internal sealed class BedrockChatClient(BedrockTransport transport, string model)
    : WireChatClient(transport.ProviderName, transport.Endpoint, model, transport.Http)
{
    private readonly BedrockTransport _transport = transport;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = Body(messages, options);
        using var response = await _transport.PostAsync("converse", body, stream: false, cancellationToken, options?.AdditionalProperties).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(bytes);
        return BedrockConverse.ParseResponse(doc.RootElement.Clone(), Model, RequestId(response));
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = Body(messages, options);
        using var response = await _transport.PostAsync("converse-stream", body, stream: true, cancellationToken, options?.AdditionalProperties).ConfigureAwait(false);
        var requestId = RequestId(response);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var reader = new EventStreamReader(stream);
        var tools = new Dictionary<int, (string Id, string Name, StringBuilder Input)>();
        var created = _transport.Now;
        while (await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } message)
        {
            switch (message.MessageType)
            {
                case "exception":
                    throw StreamException(message.StringHeader(":exception-type"), message);
                case "error":
                    throw StreamException(message.StringHeader(":error-code"), message, message.StringHeader(":error-message"));
                case "event":
                    break;
                default:
                    continue;
            }

            using var doc = JsonDocument.Parse(message.Payload);
            var payload = doc.RootElement;
            var update = new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ResponseId = requestId,
                MessageId = requestId,
                ModelId = Model,
                CreatedAt = created,
                RawRepresentation = payload.Clone(),
            };
            switch (message.StringHeader(":event-type"))
            {
                case "contentBlockStart":
                    if (payload.TryGetProperty("start", out var start) && start.TryGetProperty("toolUse", out var toolStart))
                    {
                        tools[Index(payload)] = (StringOf(toolStart, "toolUseId") ?? string.Empty, StringOf(toolStart, "name") ?? string.Empty, new StringBuilder());
                    }

                    continue;
                case "contentBlockDelta":
                    if (!payload.TryGetProperty("delta", out var delta))
                    {
                        continue;
                    }

                    if (delta.TryGetProperty("text", out var text))
                    {
                        update.Contents.Add(new TextContent(text.GetString()));
                    }
                    else if (delta.TryGetProperty("toolUse", out var toolDelta))
                    {
                        if (tools.TryGetValue(Index(payload), out var tool))
                        {
                            tool.Input.Append(StringOf(toolDelta, "input"));
                        }

                        continue;
                    }
                    else if (delta.TryGetProperty("reasoningContent", out var reasoning))
                    {
                        if (StringOf(reasoning, "text") is { } reasoningText)
                        {
                            update.Contents.Add(new TextReasoningContent(reasoningText));
                        }
                        else if ((StringOf(reasoning, "signature") ?? StringOf(reasoning, "redactedContent")) is { } protectedData)
                        {
                            update.Contents.Add(new TextReasoningContent(string.Empty) { ProtectedData = protectedData });
                        }
                        else
                        {
                            continue;
                        }
                    }
                    else
                    {
                        continue; // citations and other deltas have no counterpart yet
                    }

                    break;
                case "contentBlockStop":
                    if (!tools.Remove(Index(payload), out var done))
                    {
                        continue;
                    }

                    update.Contents.Add(new FunctionCallContent(done.Id, done.Name, BedrockConverse.Arguments(done.Input.ToString())));
                    break;
                case "messageStop":
                    if (StringOf(payload, "stopReason") is not { } stopReason)
                    {
                        continue;
                    }

                    update.FinishReason = new ChatFinishReason(stopReason);
                    break;
                case "metadata":
                    if (!payload.TryGetProperty("usage", out var usage))
                    {
                        continue;
                    }

                    update.Contents.Add(new UsageContent(BedrockConverse.Usage(usage)));
                    break;
                default:
                    continue; // messageStart and unknown events carry nothing to report
            }

            yield return update;
        }
    }

    private byte[] Body(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        // Pass-through fields are merged here, before signing: the signature covers the body.
        var extra = WireExtras.Body(options);
        var request = BedrockConverse.BuildRequest(messages, options, extra, _transport.ProviderName, Model);
        return request.ToUtf8Bytes(BedrockTransport.WireJson.Encoder);
    }

    private async ValueTask<EventStreamMessage?> NextAsync(EventStreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EventStreamFormatException e)
        {
            throw new InternalServerException(Details(null, "Bedrock sent a damaged event stream: " + e.Message), e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiConnectionException(Details(null, "The stream broke: " + SecretRedactor.Redact(e.Message, _transport.Endpoint.ApiKey)), e);
        }
    }

    private LiteLlmException StreamException(string? type, EventStreamMessage message, string? headerMessage = null)
    {
        var text = headerMessage;
        if (text is null && message.Payload.Length > 0)
        {
            var body = Encoding.UTF8.GetString(message.Payload.Span);
            var (parsed, _) = ErrorMapper.ParseBody(body);
            text = parsed ?? body;
            if (type == "modelStreamErrorException")
            {
                // {"message","originalStatusCode","originalMessage"}: the model's own failure.
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    if (doc.RootElement.TryGetProperty("originalMessage", out var original) && original.ValueKind == JsonValueKind.String)
                    {
                        text = text + " (" + original.GetString() + ")";
                    }
                }
                catch (JsonException)
                {
                }
            }
        }

        return ErrorMapper.Classify(Details(null, SecretRedactor.Redact(text ?? type ?? "Bedrock reported an error in the stream.", _transport.Endpoint.ApiKey)) with
        {
            ProviderCode = type,
        });
    }

    private ProviderErrorDetails Details(int? status, string? message)
        => new(_transport.ProviderName, Model, status, message, null, IsMidStream: true);

    private static string? RequestId(HttpResponseMessage response)
        => response.Headers.TryGetValues("x-amzn-RequestId", out var values) ? values.FirstOrDefault() : null;

    private static int Index(JsonElement payload)
        => payload.TryGetProperty("contentBlockIndex", out var i) && i.TryGetInt32(out var n) ? n : 0;

    private static string? StringOf(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
