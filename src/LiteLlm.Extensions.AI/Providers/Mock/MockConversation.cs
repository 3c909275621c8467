using System.Globalization;
using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>
/// Reads where the conversation is, so that the mock plays a model's part in a tool loop: it asks for its scripted tools
/// once per user turn and answers with text once the results are back (or plays the next step of <c>mock_responses</c>).
/// Without this a <see cref="FunctionInvokingChatClient"/> or Semantic Kernel would loop until its iteration limit.
/// </summary>
internal sealed class MockConversation
{
    private readonly List<ChatMessage> _turn;

    public MockConversation(IEnumerable<ChatMessage> messages)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var start = 0;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Role == ChatRole.User)
            {
                start = i + 1;
                break;
            }
        }

        UserText = start > 0 ? list[start - 1].Text : string.Empty;
        _turn = [.. list.Skip(start)];
        RoundTrips = _turn.Count(m => m.Role == ChatRole.Assistant);
        HasToolResults = _turn.Any(m => m.Contents.OfType<FunctionResultContent>().Any());
    }

    /// <summary>Gets the text of the last user message (the turn's question).</summary>
    public string UserText { get; }

    /// <summary>Gets how many assistant answers the current turn already holds: the index of the next scripted step.</summary>
    public int RoundTrips { get; }

    /// <summary>Gets a value indicating whether tool results came back in the current turn.</summary>
    public bool HasToolResults { get; }

    /// <summary>A text answer that reports the turn's tool results, e.g. <c>get_weather: Sunny</c>, or null without any.</summary>
    public string? SummarizeToolResults()
    {
        var names = _turn.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).GroupBy(c => c.CallId).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var parts = _turn.SelectMany(m => m.Contents.OfType<FunctionResultContent>())
            .Select(r => $"{(names.TryGetValue(r.CallId, out var name) ? name : r.CallId)}: {Describe(r.Result)}")
            .ToList();
        return parts.Count == 0 ? null : "Mock answer from the tool results. " + string.Join("; ", parts);
    }

    /// <summary>
    /// Gives each scripted call the name of the offered tool it means: exact names are kept, and a bare function name
    /// matches one offered tool that ends with <c>_name</c> or <c>-name</c> (Semantic Kernel offers <c>Plugin_Function</c>).
    /// </summary>
    public static List<FunctionCallContent> ResolveNames(List<FunctionCallContent> calls, ChatOptions? options)
    {
        var offered = options?.Tools?.OfType<AIFunctionDeclaration>().Select(t => t.Name).ToList();
        if (offered is not { Count: > 0 })
        {
            return calls;
        }

        return calls.ConvertAll(call =>
        {
            if (offered.Contains(call.Name, StringComparer.Ordinal))
            {
                return call;
            }

            var matches = offered.Where(n => n.EndsWith("_" + call.Name, StringComparison.Ordinal) || n.EndsWith("-" + call.Name, StringComparison.Ordinal)).ToList();
            return matches.Count == 1 ? new FunctionCallContent(call.CallId, matches[0], call.Arguments) : call;
        });
    }

    private static string Describe(object? result) => result switch
    {
        null => "null",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
        JsonElement e => e.GetRawText(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var other => JsonSerializer.Serialize(other, AIJson<object>.Info),
    };
}
