using System.Text.Json;

namespace LiteLlm.Gateway.Protocol.Responses;

/// <summary>
/// The few changes the gateway makes to a Responses document that reaches it from a provider speaking the same protocol
/// (the response's <c>id</c>, and the caller's own <c>previous_response_id</c>, which the provider never saw), and to
/// stored items replayed as a later turn's input.
/// </summary>
internal static class ProviderResponses
{
    /// <summary>The response object with the gateway's <paramref name="id"/> and the caller's <paramref name="previousResponseId"/>.</summary>
    public static byte[] Rewrite(JsonElement response, string id, string? previousResponseId)
        => ResponseBuilder.ToJson(w => WriteRewritten(w, response, id, previousResponseId));

    /// <summary>A stream event: events that carry the response object get it rewritten; every other event is sent as it came.</summary>
    public static byte[] RewriteEvent(JsonElement data, string id, string? previousResponseId)
        => ResponseBuilder.ToJson(w =>
        {
            if (!data.TryGetProperty("response", out _))
            {
                data.WriteTo(w);
                return;
            }

            w.WriteStartObject();
            foreach (var property in data.EnumerateObject())
            {
                if (property.Name == "response" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    w.WritePropertyName("response");
                    WriteRewritten(w, property.Value, id, previousResponseId);
                }
                else
                {
                    property.WriteTo(w);
                }
            }

            w.WriteEndObject();
        });

    /// <summary>
    /// Stored items as a later turn's input: item ids the gateway made up (or that a provider's store may have dropped) are
    /// left out of messages and calls, which need none; reasoning without OpenAI's encrypted content is the gateway's own
    /// summary of another model's reasoning and is not replayed.
    /// </summary>
    public static IEnumerable<JsonElement> Replayable(JsonElement items)
    {
        foreach (var item in items.EnumerateArray())
        {
            var type = ResponsesRequestParser.Str(item, "type");
            if (type == "reasoning")
            {
                if (ResponsesRequestParser.Str(item, "encrypted_content") is { Length: > 0 })
                {
                    yield return item;
                }

                continue;
            }

            if (type is not ("message" or "function_call" or "function_call_output"))
            {
                yield return item;
                continue;
            }

            var bytes = ResponseBuilder.ToJson(w =>
            {
                w.WriteStartObject();
                foreach (var property in item.EnumerateObject())
                {
                    if (property.Name is not ("id" or "status"))
                    {
                        property.WriteTo(w);
                    }
                }

                w.WriteEndObject();
            });
            using var document = JsonDocument.Parse(bytes);
            yield return document.RootElement.Clone();
        }
    }

    private static void WriteRewritten(Utf8JsonWriter w, JsonElement response, string id, string? previousResponseId)
    {
        w.WriteStartObject();
        foreach (var property in response.EnumerateObject())
        {
            switch (property.Name)
            {
                case "id":
                    w.WriteString("id", id);
                    break;
                case "previous_response_id" when previousResponseId is not null:
                    w.WriteString("previous_response_id", previousResponseId);
                    break;
                default:
                    property.WriteTo(w);
                    break;
            }
        }

        w.WriteEndObject();
    }
}
