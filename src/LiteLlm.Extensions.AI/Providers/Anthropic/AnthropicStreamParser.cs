using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>
/// Turns the events of one Anthropic Messages stream into <see cref="ChatResponseUpdate"/>s.
/// </summary>
/// <remarks>
/// Text and thinking deltas are passed on at once. A tool_use block's <c>input_json_delta</c> fragments are
/// collected and parsed at its <c>content_block_stop</c> into one <see cref="FunctionCallContent"/>.
/// <para>
/// A tool_use block that never reaches its <c>content_block_stop</c> (the stream stopped at <c>max_tokens</c> inside it)
/// is not dropped: it is emitted as a <see cref="FunctionCallContent"/> with no arguments whose
/// <see cref="FunctionCallContent.Exception"/> says the arguments were cut off, and the raw fragment is kept in
/// <c>AdditionalProperties["partial_arguments"]</c>. The update also carries the finish reason (length), so a caller or
/// FunctionInvokingChatClient sees a failed call rather than nothing. A stream that ends before it said why it stopped
/// (no <c>message_delta</c> stop reason) is a broken connection and throws.
/// </para>
/// </remarks>
internal sealed class AnthropicStreamParser
{
    public const string PartialArgumentsKey = "partial_arguments";

    private readonly string? _jsonToolName;
    private readonly Func<string, Exception> _streamError;
    private readonly Dictionary<int, OpenBlock> _open = [];
    private string? _id;
    private string? _model;
    private UsageDetails? _usage;
    private bool _stopped;
    private bool _answeredJson;

    public AnthropicStreamParser(string? jsonToolName, Func<string, Exception> streamError)
    {
        _jsonToolName = jsonToolName;
        _streamError = streamError;
    }

    /// <summary>
    /// Gets or sets a value indicating whether every event yields an update whose <see cref="ChatResponseUpdate.RawRepresentation"/>
    /// is the event (a <see cref="WireJson"/> with its <see cref="WireJson.EventType"/>), so a host answering in Anthropic's
    /// format can pass on every event as the provider sent it (pings, signatures, citations, server-tool blocks).
    /// </summary>
    public bool KeepRawEvents { get; init; }

    /// <summary>Gets a value indicating whether <c>message_stop</c> arrived; nothing after it is read.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Gets a value indicating whether the stream said why it stopped (a <c>message_delta</c> stop reason).</summary>
    public bool HasStopReason => _stopped;

    /// <summary>Handles one SSE event; returns the update it produces, if any.</summary>
    public ChatResponseUpdate? Handle(string eventType, string data)
    {
        if (IsComplete || string.IsNullOrWhiteSpace(data))
        {
            return null;
        }

        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        var type = AnthropicResponseParser.String(root, "type") ?? eventType;
        var update = Read(type, root, data);
        if (KeepRawEvents)
        {
            update ??= Update([]);
            update.RawRepresentation = new WireJson(WireFormat.AnthropicMessages, root.Clone()) { EventType = eventType };
        }

        return update;
    }

    private ChatResponseUpdate? Read(string type, JsonElement root, string data)
    {
        switch (type)
        {
            case "message_start":
                if (root.TryGetProperty("message", out var message))
                {
                    _id = AnthropicResponseParser.String(message, "id");
                    _model = AnthropicResponseParser.String(message, "model");
                    if (message.TryGetProperty("usage", out var usage))
                    {
                        _usage = AnthropicResponseParser.Usage(usage, null);
                    }
                }

                return null;

            case "content_block_start":
                return BlockStart(root);

            case "content_block_delta":
                return BlockDelta(root);

            case "content_block_stop":
                return BlockStop(root);

            case "message_delta":
                return MessageDelta(root);

            case "message_stop":
                IsComplete = true;
                return null;

            case "error":
                throw _streamError(data);

            default:
                return null; // ping and event types added later
        }
    }

    private ChatResponseUpdate? BlockStart(JsonElement root)
    {
        var index = Index(root);
        if (!root.TryGetProperty("content_block", out var block))
        {
            return null;
        }

        switch (AnthropicResponseParser.String(block, "type"))
        {
            case "text":
                _open[index] = new OpenBlock(BlockKind.Text, null, null);
                return AnthropicResponseParser.String(block, "text") is { Length: > 0 } text ? Update(new TextContent(text)) : null;

            case "thinking":
                _open[index] = new OpenBlock(BlockKind.Thinking, null, null);
                return AnthropicResponseParser.String(block, "thinking") is { Length: > 0 } thinking ? Update(new TextReasoningContent(thinking)) : null;

            case "tool_use":
                var name = AnthropicResponseParser.String(block, "name") ?? string.Empty;
                var kind = name == _jsonToolName ? BlockKind.JsonAnswer : BlockKind.ToolUse;
                _open[index] = new OpenBlock(kind, AnthropicResponseParser.String(block, "id") ?? string.Empty, name);
                return null;

            case "redacted_thinking":
                return AnthropicResponseParser.Block(block) is { } redacted ? Update(redacted) : null;

            default:
                return null;
        }
    }

    private ChatResponseUpdate? BlockDelta(JsonElement root)
    {
        var index = Index(root);
        if (!root.TryGetProperty("delta", out var delta))
        {
            return null;
        }

        _open.TryGetValue(index, out var block);
        switch (AnthropicResponseParser.String(delta, "type"))
        {
            case "text_delta" when AnthropicResponseParser.String(delta, "text") is { Length: > 0 } text:
                return Update(new TextContent(text));

            case "thinking_delta" when AnthropicResponseParser.String(delta, "thinking") is { Length: > 0 } thinking:
                return Update(new TextReasoningContent(thinking));

            case "signature_delta" when block is not null:
                block.Signature = (block.Signature ?? string.Empty) + AnthropicResponseParser.String(delta, "signature");
                return null;

            case "input_json_delta" when block is not null && AnthropicResponseParser.String(delta, "partial_json") is { Length: > 0 } json:
                if (block.Kind == BlockKind.JsonAnswer)
                {
                    _answeredJson = true;
                    return Update(new TextContent(json)); // JSON mode: the forced tool's input is the answer text
                }

                block.Json.Append(json);
                return null;

            default:
                return null; // citations_delta and later delta types
        }
    }

    private ChatResponseUpdate? BlockStop(JsonElement root)
    {
        var index = Index(root);
        if (!_open.Remove(index, out var block))
        {
            return null;
        }

        return block.Kind switch
        {
            BlockKind.ToolUse => Update(Call(block)),
            BlockKind.Thinking when !string.IsNullOrEmpty(block.Signature) => Update(new TextReasoningContent(string.Empty) { ProtectedData = block.Signature }),
            _ => null,
        };
    }

    private ChatResponseUpdate? MessageDelta(JsonElement root)
    {
        var contents = new List<AIContent>();

        // A tool_use block still open here was cut off (stop_reason max_tokens): report it, never drop it.
        foreach (var (_, block) in _open.OrderBy(b => b.Key))
        {
            if (block.Kind == BlockKind.ToolUse)
            {
                contents.Add(Truncated(block));
            }
        }

        _open.Clear();

        ChatFinishReason? finish = null;
        if (root.TryGetProperty("delta", out var delta) && AnthropicResponseParser.String(delta, "stop_reason") is { } stopReason)
        {
            _stopped = true;
            finish = AnthropicResponseParser.FinishReason(stopReason);
            if (_answeredJson && finish == ChatFinishReason.ToolCalls)
            {
                finish = ChatFinishReason.Stop;
            }
        }

        if (root.TryGetProperty("usage", out var usage))
        {
            _usage = AnthropicResponseParser.Usage(usage, _usage);
        }

        if (_usage is not null)
        {
            contents.Add(new UsageContent(_usage));
        }

        var update = Update(contents);
        update.FinishReason = finish;
        return update;
    }

    private static FunctionCallContent Call(OpenBlock block)
    {
        var json = block.Json.Length == 0 ? "{}" : block.Json.ToString();
        try
        {
            using var input = JsonDocument.Parse(json);
            if (input.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"The input of tool_use '{block.Name}' is not a JSON object.");
            }

            return new FunctionCallContent(block.Id!, block.Name!, AnthropicResponseParser.Arguments(input.RootElement));
        }
        catch (JsonException e)
        {
            return new FunctionCallContent(block.Id!, block.Name!)
            {
                Exception = e,
                AdditionalProperties = new() { [PartialArgumentsKey] = json },
            };
        }
    }

    private static FunctionCallContent Truncated(OpenBlock block) => new(block.Id!, block.Name!)
    {
        Exception = new InvalidDataException(
            $"The stream stopped inside tool_use '{block.Name}' ({block.Id}) before its arguments were complete; the call cannot be made."),
        AdditionalProperties = new() { [PartialArgumentsKey] = block.Json.ToString() },
    };

    private ChatResponseUpdate Update(AIContent content) => Update([content]);

    private ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _id,
        MessageId = _id,
        ModelId = _model,
    };

    private static int Index(JsonElement root)
        => root.TryGetProperty("index", out var index) && index.TryGetInt32(out var i) ? i : 0;

    private enum BlockKind
    {
        Text,
        Thinking,
        ToolUse,
        JsonAnswer,
    }

    private sealed class OpenBlock(BlockKind kind, string? id, string? name)
    {
        public BlockKind Kind { get; } = kind;

        public string? Id { get; } = id;

        public string? Name { get; } = name;

        public StringBuilder Json { get; } = new();

        public string? Signature { get; set; }
    }
}
