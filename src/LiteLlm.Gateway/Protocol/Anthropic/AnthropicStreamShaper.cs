using System.Net.ServerSentEvents;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Anthropic;

/// <summary>
/// Anthropic streaming events. A stream from an Anthropic deployment (each update's <see cref="WireJson"/>) is passed on
/// event by event as the provider sent it; any other is translated: message_start, content_block_start/delta/stop per
/// block (text, thinking with its signature, redacted thinking, tool_use), message_delta, message_stop.
/// </summary>
internal sealed class AnthropicStreamShaper(InferenceCall call, string model) : IStreamShaper
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;
    private bool? _upstream;
    private bool _started;
    private int _index = -1;
    private string? _openType;
    private bool _sawToolUse;
    private ChatFinishReason? _finish;

    public IEnumerable<SseItem<object>> OnUpdate(ChatResponseUpdate update)
    {
        var raw = AnthropicResponseTranslator.Upstream(update.RawRepresentation);
        _upstream ??= raw is not null;
        return _upstream.Value ? Passed(raw) : Translated(update);
    }

    public IEnumerable<SseItem<object>> OnEnd() => _upstream is true ? [] : TranslatedEnd();

    public SseItem<object> OnError(GatewayError error)
        => Event(new AnthropicStreamEvent { Type = "error", Error = new AnthropicErrorBody { Type = AnthropicErrors.Type(error), Message = error.Message } });

    private static IEnumerable<SseItem<object>> Passed(WireJson? raw)
    {
        // Updates the pipeline added (the cost, a dropped-parameters note) have no event of their own.
        if (raw is null)
        {
            yield break;
        }

        var rest = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string? type = null;
        foreach (var property in raw.Json.EnumerateObject())
        {
            if (property.Name == "type" && property.Value.ValueKind == JsonValueKind.String)
            {
                type = property.Value.GetString();
            }
            else
            {
                rest[property.Name] = property.Value;
            }
        }

        type ??= raw.EventType ?? "unknown";
        yield return new SseItem<object>(new AnthropicStreamEvent { Type = type, Upstream = rest }, raw.EventType ?? type);
    }

    private IEnumerable<SseItem<object>> Translated(ChatResponseUpdate update)
    {
        if (!_started)
        {
            _started = true;
            yield return Event(new AnthropicStreamEvent
            {
                Type = "message_start",
                Message = new AnthropicResponse
                {
                    Id = AnthropicResponseTranslator.MessageId(update.ResponseId, call.Id),
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
                    foreach (var e in Ensure("text", new AnthropicBlockDto { Type = "text", Text = string.Empty }))
                    {
                        yield return e;
                    }

                    yield return Delta(new AnthropicDeltaDto { Type = "text_delta", Text = text.Text });
                    break;
                case TextReasoningContent reasoning when AnthropicResponseTranslator.IsRedacted(reasoning):
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    yield return Open("redacted_thinking", new AnthropicBlockDto { Type = "redacted_thinking", Data = reasoning.ProtectedData });
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    break;
                case TextReasoningContent reasoning:
                    foreach (var e in Ensure("thinking", new AnthropicBlockDto { Type = "thinking", Thinking = string.Empty, Signature = string.Empty }))
                    {
                        yield return e;
                    }

                    if (reasoning.Text.Length > 0)
                    {
                        yield return Delta(new AnthropicDeltaDto { Type = "thinking_delta", Thinking = reasoning.Text });
                    }

                    if (!string.IsNullOrEmpty(reasoning.ProtectedData))
                    {
                        yield return Delta(new AnthropicDeltaDto { Type = "signature_delta", Signature = reasoning.ProtectedData });
                    }

                    break;
                case FunctionCallContent fc:
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    _sawToolUse = true;
                    yield return Open("tool_use", new AnthropicBlockDto { Type = "tool_use", Id = fc.CallId, Name = fc.Name, Input = EmptyObject });
                    yield return Delta(new AnthropicDeltaDto { Type = "input_json_delta", PartialJson = AnthropicResponseTranslator.Arguments(fc) });
                    foreach (var e in Close())
                    {
                        yield return e;
                    }

                    break;
            }
        }
    }

    private IEnumerable<SseItem<object>> TranslatedEnd()
    {
        if (!_started)
        {
            foreach (var e in Translated(new ChatResponseUpdate()))
            {
                yield return e;
            }
        }

        foreach (var e in Close())
        {
            yield return e;
        }

        yield return Event(new AnthropicStreamEvent
        {
            Type = "message_delta",
            Delta = new AnthropicDeltaDto { StopReason = AnthropicResponseTranslator.StopReason(_finish, _sawToolUse) },
            Usage = AnthropicResponseTranslator.Usage(call.Usage),
        });
        yield return Event(new AnthropicStreamEvent { Type = "message_stop" });
    }

    private static SseItem<object> Event(AnthropicStreamEvent e) => new(e, e.Type);

    private SseItem<object> Delta(AnthropicDeltaDto delta) => Event(new AnthropicStreamEvent { Type = "content_block_delta", Index = _index, Delta = delta });

    private IEnumerable<SseItem<object>> Ensure(string type, AnthropicBlockDto block)
    {
        if (_openType == type)
        {
            yield break;
        }

        foreach (var e in Close())
        {
            yield return e;
        }

        yield return Open(type, block);
    }

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
