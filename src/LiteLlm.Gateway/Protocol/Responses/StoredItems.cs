using System.Globalization;
using System.Text.Json;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>
/// Writes a request's input items as stored items: each with an <c>id</c> and a <c>type</c>, and a message's string
/// content as one text part — the shape <c>GET /responses/{id}/input_items</c> lists and a later turn replays.
/// </summary>
internal static class StoredItems
{
    public static void Write(Utf8JsonWriter w, IReadOnlyList<JsonElement> items, string responseId)
    {
        var hex = responseId.StartsWith("resp_", StringComparison.Ordinal) ? responseId[5..] : responseId;
        w.WriteStartArray();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var type = ResponsesRequestParser.Str(item, "type") ?? "message";
            w.WriteStartObject();
            if (ResponsesRequestParser.Str(item, "id") is not { Length: > 0 })
            {
                var prefix = type switch
                {
                    "function_call" => "fc",
                    "function_call_output" => "fco",
                    "reasoning" => "rs",
                    _ => "msg",
                };
                w.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"{prefix}_in_{hex}{i:x4}"));
            }

            if (!item.TryGetProperty("type", out _))
            {
                w.WriteString("type", type);
            }

            foreach (var property in item.EnumerateObject())
            {
                if (type == "message" && property.Name == "content" && property.Value.ValueKind == JsonValueKind.String)
                {
                    w.WriteStartArray("content");
                    w.WriteStartObject();
                    var assistant = ResponsesRequestParser.Str(item, "role") == "assistant";
                    w.WriteString("type", assistant ? "output_text" : "input_text");
                    w.WriteString("text", property.Value.GetString());
                    if (assistant)
                    {
                        w.WriteStartArray("annotations");
                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                else
                {
                    property.WriteTo(w);
                }
            }

            if (type is "message" or "function_call" or "function_call_output" && !item.TryGetProperty("status", out _))
            {
                w.WriteString("status", "completed");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
