using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>Reads scripted tool calls: <see cref="FunctionCallContent"/>s, or objects <c>{name, arguments, id?}</c> (from JSON or YAML config).</summary>
internal static class MockToolCallParser
{
    public static List<FunctionCallContent> Parse(object? value, string idPrefix = "call_mock_")
    {
        var calls = new List<FunctionCallContent>();
        switch (value)
        {
            case null:
                break;
            case IEnumerable<FunctionCallContent> typed:
                calls.AddRange(typed);
                break;
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray())
                {
                    calls.Add(FromJson(item, idPrefix + calls.Count));
                }

                break;
            case string json:
                return Parse(JsonDocument.Parse(json).RootElement.Clone(), idPrefix);
            case System.Collections.IEnumerable items:
                foreach (var item in items)
                {
                    calls.Add(FromJson(JsonSerializer.SerializeToElement(item, AIJson<object>.Info), idPrefix + calls.Count));
                }

                break;
        }

        return calls;
    }

    private static FunctionCallContent FromJson(JsonElement item, string defaultId)
    {
        var name = item.GetProperty("name").GetString() ?? throw new FormatException("A mock tool call needs a name.");
        var id = item.TryGetProperty("id", out var idValue) ? idValue.GetString() : null;
        Dictionary<string, object?>? arguments = null;
        if (item.TryGetProperty("arguments", out var args))
        {
            var obj = args.ValueKind == JsonValueKind.String ? JsonDocument.Parse(args.GetString()!).RootElement : args;
            arguments = obj.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        }

        return new FunctionCallContent(id ?? defaultId, name, arguments);
    }
}
