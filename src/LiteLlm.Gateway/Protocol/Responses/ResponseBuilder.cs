using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>One output item of a response being built: a message, a function call or a reasoning item.</summary>
internal sealed class ResponseOutputItem(string type, string id)
{
    public string Type { get; } = type;

    public string Id { get; } = id;

    public StringBuilder Text { get; } = new();

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public string Status { get; set; } = "in_progress";
}

/// <summary>
/// Builds a Responses <c>response</c> object from MEAI content, and — when streaming — the event sequence that leads to it
/// (<c>response.created</c> … <c>response.completed</c>), numbered by <c>sequence_number</c>. The same builder serves the
/// non-streamed answer, so a streamed and a non-streamed call of the same model produce the same object.
/// </summary>
internal sealed partial class ResponseBuilder
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly JsonElement _request;
    private readonly string _hex;
    private readonly List<ResponseOutputItem> _items = [];
    private readonly List<(string Type, byte[] Data)>? _events;
    private int _sequence;
    private ResponseOutputItem? _open;
    private UsageDetails? _usage;
    private GatewayError? _error;
    private long? _completedAt;
    private readonly TimeProvider _time;

    public ResponseBuilder(string callId, string model, JsonElement request, bool store, bool streaming, TimeProvider time)
    {
        _time = time;
        _hex = callId.Replace("chatcmpl-", string.Empty, StringComparison.Ordinal);
        Id = "resp_" + _hex;
        Model = model;
        _request = request;
        Store = store;
        CreatedAt = time.GetUtcNow().ToUnixTimeSeconds();
        _events = streaming ? [] : null;
    }

    public string Id { get; }

    public string Model { get; set; }

    public bool Store { get; }

    public long CreatedAt { get; }

    public string Status { get; private set; } = "in_progress";

    public string? IncompleteReason { get; private set; }

    public IReadOnlyList<ResponseOutputItem> Items => _items;

    /// <summary>Takes the events produced since the last call (streaming only).</summary>
    public List<(string Type, byte[] Data)> DrainEvents()
    {
        var events = _events is null ? [] : new List<(string, byte[])>(_events);
        _events?.Clear();
        return events;
    }

    public bool Started { get; private set; }

    public void Start()
    {
        Started = true;
        Emit("response.created", w => WriteResponseProperty(w));
        Emit("response.in_progress", w => WriteResponseProperty(w));
    }

    /// <summary>Adds what one message or update carries.</summary>
    public void Add(IEnumerable<AIContent> contents)
    {
        foreach (var content in contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    AddText(text.Text);
                    break;
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    AddReasoning(reasoning.Text);
                    break;
                case FunctionCallContent call:
                    AddFunctionCall(call.CallId, call.Name, ChatResponseWriter.Arguments(call));
                    break;
            }
        }
    }

    public void Complete(UsageDetails? usage, ChatFinishReason? finish)
    {
        Close();
        _usage = usage;
        if (finish == ChatFinishReason.Length || finish == ChatFinishReason.ContentFilter)
        {
            Status = "incomplete";
            IncompleteReason = finish == ChatFinishReason.Length ? "max_output_tokens" : "content_filter";
        }
        else
        {
            Status = "completed";
            _completedAt = _time.GetUtcNow().ToUnixTimeSeconds();
        }

        Emit(Status == "completed" ? "response.completed" : "response.incomplete", w => WriteResponseProperty(w));
    }

    public void Fail(GatewayError error, UsageDetails? usage)
    {
        _usage = usage;
        _error = error;
        Status = "failed";
        Emit("response.failed", w => WriteResponseProperty(w));
    }

    /// <summary>Writes the whole response object.</summary>
    public void WriteResponse(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", CreatedAt);
        w.WriteString("status", Status);
        w.WriteBoolean("background", false);
        WriteNullable(w, "completed_at", _completedAt);
        if (_error is { } error)
        {
            w.WriteStartObject("error");
            w.WriteString("code", error.Status == 429 ? "rate_limit_exceeded" : "server_error");
            w.WriteString("message", error.Message);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }

        if (IncompleteReason is { } reason)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", reason);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("incomplete_details");
        }

        Echo(w, "instructions", null);
        Echo(w, "max_output_tokens", null);
        w.WriteString("model", Model);
        w.WritePropertyName("output");
        WriteOutput(w);
        Echo(w, "parallel_tool_calls", "true");
        Echo(w, "previous_response_id", null);
        Echo(w, "reasoning", null);
        w.WriteBoolean("store", Store);
        Echo(w, "temperature", "1.0");
        Echo(w, "text", """{"format":{"type":"text"}}""");
        Echo(w, "tool_choice", "\"auto\"");
        Echo(w, "tools", "[]");
        Echo(w, "top_p", "1.0");
        Echo(w, "truncation", "\"disabled\"");
        if (_usage is { } usage && Status != "in_progress")
        {
            WriteUsage(w, usage); // absent until known: OpenAI's schema has no null usage
        }

        if (ResponsesRequestParser.Str(_request, "user") is { } user)
        {
            w.WriteString("user", user);
        }

        Echo(w, "metadata", "{}");
        w.WriteEndObject();
    }

    public void WriteOutput(Utf8JsonWriter w)
    {
        w.WriteStartArray();
        foreach (var item in _items)
        {
            WriteItem(w, item);
        }

        w.WriteEndArray();
    }

    public static byte[] ToJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void AddText(string delta)
    {
        var item = OpenItem("message", "msg");
        if (item.Text.Length == 0)
        {
            Emit("response.content_part.added", w =>
            {
                ItemRef(w, item, contentIndex: true);
                w.WritePropertyName("part");
                WriteTextPart(w, string.Empty);
            });
        }

        item.Text.Append(delta);
        Emit("response.output_text.delta", w =>
        {
            ItemRef(w, item, contentIndex: true);
            w.WriteString("delta", delta);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
    }

    private void AddReasoning(string delta)
    {
        var item = OpenItem("reasoning", "rs");
        if (item.Text.Length == 0)
        {
            Emit("response.reasoning_summary_part.added", w =>
            {
                ItemRef(w, item, contentIndex: false);
                w.WriteNumber("summary_index", 0);
                w.WritePropertyName("part");
                WriteSummaryPart(w, string.Empty);
            });
        }

        item.Text.Append(delta);
        Emit("response.reasoning_summary_text.delta", w =>
        {
            ItemRef(w, item, contentIndex: false);
            w.WriteNumber("summary_index", 0);
            w.WriteString("delta", delta);
        });
    }

    private void AddFunctionCall(string callId, string name, string arguments)
    {
        Close();
        var item = new ResponseOutputItem("function_call", ItemId("fc")) { CallId = callId, Name = name };
        _items.Add(item);
        Emit("response.output_item.added", w => ItemEvent(w, item));
        item.Text.Append(arguments);
        Emit("response.function_call_arguments.delta", w =>
        {
            ItemRef(w, item, contentIndex: false);
            w.WriteString("delta", arguments);
        });
        Emit("response.function_call_arguments.done", w =>
        {
            ItemRef(w, item, contentIndex: false);
            w.WriteString("name", name);
            w.WriteString("arguments", arguments);
        });
        item.Status = "completed";
        Emit("response.output_item.done", w => ItemEvent(w, item));
    }

    private ResponseOutputItem OpenItem(string type, string prefix)
    {
        if (_open?.Type == type)
        {
            return _open;
        }

        Close();
        var item = new ResponseOutputItem(type, ItemId(prefix));
        _items.Add(item);
        _open = item;
        Emit("response.output_item.added", w => ItemEvent(w, item));
        return item;
    }

    /// <summary>Finishes the open message or reasoning item: its done events, then <c>response.output_item.done</c>.</summary>
    private void Close()
    {
        if (_open is not { } item)
        {
            return;
        }

        _open = null;
        var text = item.Text.ToString();
        if (item.Type == "message")
        {
            Emit("response.output_text.done", w =>
            {
                ItemRef(w, item, contentIndex: true);
                w.WriteString("text", text);
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            });
            Emit("response.content_part.done", w =>
            {
                ItemRef(w, item, contentIndex: true);
                w.WritePropertyName("part");
                WriteTextPart(w, text);
            });
        }
        else
        {
            Emit("response.reasoning_summary_text.done", w =>
            {
                ItemRef(w, item, contentIndex: false);
                w.WriteNumber("summary_index", 0);
                w.WriteString("text", text);
            });
            Emit("response.reasoning_summary_part.done", w =>
            {
                ItemRef(w, item, contentIndex: false);
                w.WriteNumber("summary_index", 0);
                w.WritePropertyName("part");
                WriteSummaryPart(w, text);
            });
        }

        item.Status = "completed";
        Emit("response.output_item.done", w => ItemEvent(w, item));
    }

    private string ItemId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}_{_hex}{_items.Count:x4}");

    private void Emit(string type, Action<Utf8JsonWriter> body)
    {
        if (_events is null)
        {
            return;
        }

        var sequence = _sequence++;
        _events.Add((type, ToJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            body(w);
            w.WriteNumber("sequence_number", sequence);
            w.WriteEndObject();
        })));
    }

    private void WriteResponseProperty(Utf8JsonWriter w)
    {
        w.WritePropertyName("response");
        WriteResponse(w);
    }

    private void ItemEvent(Utf8JsonWriter w, ResponseOutputItem item)
    {
        w.WriteNumber("output_index", _items.IndexOf(item));
        w.WritePropertyName("item");
        WriteItem(w, item);
    }

    private void ItemRef(Utf8JsonWriter w, ResponseOutputItem item, bool contentIndex)
    {
        w.WriteString("item_id", item.Id);
        w.WriteNumber("output_index", _items.IndexOf(item));
        if (contentIndex)
        {
            w.WriteNumber("content_index", 0);
        }
    }

    /// <summary>Writes the request's own value of <paramref name="name"/> (as sent), or the default OpenAI reports.</summary>
    private void Echo(Utf8JsonWriter w, string name, string? fallback)
    {
        if (_request.ValueKind == JsonValueKind.Object && _request.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
        else if (fallback is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WritePropertyName(name);
            w.WriteRawValue(fallback, skipInputValidation: true);
        }
    }
}
