using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>The shapes of output items, content parts and usage, as OpenAI's schema has them.</summary>
internal sealed partial class ResponseBuilder
{
    private static void WriteItem(Utf8JsonWriter w, ResponseOutputItem item)
    {
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        w.WriteString("type", item.Type);
        switch (item.Type)
        {
            case "message":
                w.WriteString("status", item.Status);
                w.WriteString("role", "assistant");
                w.WriteStartArray("content");
                if (item.Status != "in_progress")
                {
                    WriteTextPart(w, item.Text.ToString());
                }

                w.WriteEndArray();
                break;
            case "function_call":
                w.WriteString("status", item.Status);
                w.WriteString("call_id", item.CallId);
                w.WriteString("name", item.Name);
                w.WriteString("arguments", item.Status == "in_progress" ? string.Empty : item.Text.ToString());
                break;
            default:
                w.WriteStartArray("summary");
                if (item.Status != "in_progress")
                {
                    WriteSummaryPart(w, item.Text.ToString());
                }

                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSummaryPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "summary_text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter w, UsageDetails usage)
    {
        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", input);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedInputTokenCount ?? 0);
        w.WriteNumber("cache_write_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", output);
        w.WriteStartObject("output_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokenCount ?? 0);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", usage.TotalTokenCount ?? input + output);
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
