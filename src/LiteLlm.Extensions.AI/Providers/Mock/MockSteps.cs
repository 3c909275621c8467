using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>One scripted answer of <c>mock_responses</c>: text (or an error name), tool calls, or both.</summary>
internal sealed record MockStep(string? Text, List<FunctionCallContent> Calls);

/// <summary>
/// Reads <c>mock_responses</c>, a script of answers played one per round trip of a user turn: each step is a string
/// (the text, or <c>litellm.RateLimitError</c> to fail), an object <c>{content?, tool_calls?}</c> (tool calls as in
/// <c>mock_tool_calls</c>), or a list of <see cref="FunctionCallContent"/>s.
/// </summary>
internal static class MockSteps
{
    public static List<MockStep>? Parse(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string json:
                return Parse(JsonDocument.Parse(json).RootElement.Clone());
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                return [.. array.EnumerateArray().Select((e, i) => Step(e, i))];
            case JsonElement other:
                throw new FormatException($"mock_responses must be a list of steps, not a JSON {other.ValueKind}.");
            case System.Collections.IEnumerable items:
                var steps = new List<MockStep>();
                foreach (var item in items)
                {
                    steps.Add(item switch
                    {
                        string text => new MockStep(text, []),
                        IEnumerable<FunctionCallContent> calls => new MockStep(null, [.. calls]),
                        _ => Step(JsonSerializer.SerializeToElement(item, AIJson<object>.Info), steps.Count),
                    });
                }

                return steps;
            default:
                throw new FormatException("mock_responses must be a list of steps.");
        }
    }

    private static MockStep Step(JsonElement item, int index)
    {
        switch (item.ValueKind)
        {
            case JsonValueKind.String:
                return new MockStep(item.GetString(), []);
            case JsonValueKind.Object:
                var text = item.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString() : null;
                var calls = item.TryGetProperty("tool_calls", out var toolCalls) ? MockToolCallParser.Parse(toolCalls, $"call_mock_{index}_") : [];
                if (text is null && calls.Count == 0)
                {
                    throw new FormatException("A mock_responses step needs content or tool_calls.");
                }

                return new MockStep(text, calls);
            default:
                throw new FormatException($"A mock_responses step is a string or an object {{content, tool_calls}}, not a JSON {item.ValueKind}.");
        }
    }
}
