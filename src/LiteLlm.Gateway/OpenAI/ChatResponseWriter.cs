using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.OpenAI;

/// <summary>
/// Writes MEAI responses in OpenAI's exact wire shapes with a <see cref="Utf8JsonWriter"/> (no
/// reflection, no intermediate objects): <c>chat.completion</c>, and <c>chat.completion.chunk</c>
/// streams with tool-call deltas, the optional usage chunk and <c>[DONE]</c>.
/// </summary>
internal static class ChatResponseWriter
{
    public static void WriteCompletion(Utf8JsonWriter w, string id, string model, ChatResponse response)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", (response.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());
        w.WriteString("model", model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        var contents = response.Messages.Where(m => m.Role == ChatRole.Assistant).SelectMany(m => m.Contents).ToList();
        var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text));
        var calls = contents.OfType<FunctionCallContent>().ToList();
        if (text.Length == 0 && calls.Count > 0)
        {
            w.WriteNull("content");
        }
        else
        {
            w.WriteString("content", text);
        }

        var reasoning = string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text));
        if (reasoning.Length > 0)
        {
            w.WriteString("reasoning_content", reasoning);
        }

        w.WriteNull("refusal");
        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.CallId);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", Arguments(call));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", FinishReason(response.FinishReason, calls.Count > 0));
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, response.Usage);
        w.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter w, UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.InputTokenCount ?? 0);
        w.WriteNumber("completion_tokens", usage.OutputTokenCount ?? 0);
        w.WriteNumber("total_tokens", usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0)));
        if (usage.CachedInputTokenCount is { } cached)
        {
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", cached);
            w.WriteEndObject();
        }

        if (usage.ReasoningTokenCount is { } reasoning)
        {
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", reasoning);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
        => reason?.Value is { } value ? value : hasToolCalls ? "tool_calls" : "stop";

    public static string Arguments(FunctionCallContent call)
        => call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions);

    /// <summary>Writes chunks of one stream; holds the per-stream state (ids, tool-call indexes).</summary>
    internal sealed class ChunkWriter(PipeWriter output, string id, string model, long created) : IDisposable
    {
        private static readonly byte[] DataPrefix = "data: "u8.ToArray();
        private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
        private readonly Utf8JsonWriter _json = new(output);
        private int _toolIndex;

        public bool FinishSent { get; private set; }

        public void Role() => Chunk(w =>
        {
            w.WriteString("role", "assistant");
            w.WriteString("content", string.Empty);
        }, null);

        public void Content(string text) => Chunk(w => w.WriteString("content", text), null);

        public void Reasoning(string text) => Chunk(w => w.WriteString("reasoning_content", text), null);

        public void ToolCall(FunctionCallContent call)
        {
            var index = _toolIndex++;
            Chunk(w =>
            {
                w.WriteStartArray("tool_calls");
                w.WriteStartObject();
                w.WriteNumber("index", index);
                w.WriteString("id", call.CallId);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", Arguments(call));
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
            }, null);
        }

        public void Finish(ChatFinishReason? reason)
        {
            FinishSent = true;
            Chunk(_ => { }, FinishReason(reason, _toolIndex > 0));
        }

        public void Usage(UsageDetails usage)
        {
            Start();
            _json.WriteStartArray("choices");
            _json.WriteEndArray();
            WriteUsage(_json, usage);
            End();
        }

        public void Error(Hosting.GatewayError error)
        {
            output.Write(DataPrefix);
            _json.Reset(output);
            OpenAIError.WriteBody(_json, error);
            _json.Flush();
            output.Write(EventEnd);
        }

        public void Done() => output.Write("data: [DONE]\n\n"u8);

        public void Dispose() => _json.Dispose();

        private void Chunk(Action<Utf8JsonWriter> delta, string? finishReason)
        {
            Start();
            _json.WriteStartArray("choices");
            _json.WriteStartObject();
            _json.WriteNumber("index", 0);
            _json.WriteStartObject("delta");
            delta(_json);
            _json.WriteEndObject();
            _json.WriteNull("logprobs");
            if (finishReason is null)
            {
                _json.WriteNull("finish_reason");
            }
            else
            {
                _json.WriteString("finish_reason", finishReason);
            }

            _json.WriteEndObject();
            _json.WriteEndArray();
            End();
        }

        private void Start()
        {
            output.Write(DataPrefix);
            _json.Reset(output);
            _json.WriteStartObject();
            _json.WriteString("id", id);
            _json.WriteString("object", "chat.completion.chunk");
            _json.WriteNumber("created", created);
            _json.WriteString("model", model);
        }

        private void End()
        {
            _json.WriteEndObject();
            _json.Flush();
            output.Write(EventEnd);
        }
    }

    public static string UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
