using System.Text.RegularExpressions;

namespace LiteLlm.Routing;

/// <summary>
/// A wildcard model name (LiteLLM's wildcard routing: <c>*</c>, <c>openai/*</c>, <c>anthropic/claude-*</c>): matches
/// requested model strings, and fills a deployment's own <c>*</c>s with what it matched.
/// </summary>
internal sealed class ModelPattern
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelPattern> Cache = new(StringComparer.Ordinal);
    private readonly Regex _regex;

    public ModelPattern(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", "(.*)", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(100));
        Specificity = pattern.Count(c => c != '*');
    }

    public string Pattern { get; }

    /// <summary>Gets how specific the pattern is: its literal characters (a longer literal part wins, LiteLLM's precedence).</summary>
    public int Specificity { get; }

    public static bool IsPattern(string name) => name.Contains('*', StringComparison.Ordinal);

    public bool IsMatch(string model)
    {
        try
        {
            return _regex.IsMatch(model);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // a caller-chosen string built to make the pattern backtrack matches nothing
        }
    }

    /// <summary>Gets the pattern for a wildcard in a key's <c>models</c>, compiled once (the cache is bounded: keys list few).</summary>
    public static ModelPattern Of(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        if (Cache.Count >= 1024)
        {
            Cache.Clear();
        }

        return Cache.GetOrAdd(pattern, static p => new ModelPattern(p));
    }


    /// <summary>The provider model a deployment whose model is <paramref name="template"/> serves <paramref name="requested"/> with.</summary>
    /// <remarks><c>*</c> alone is the requested string itself; otherwise each <c>*</c> takes the next matched segment.</remarks>
    public string Fill(string template, string requested)
    {
        if (template == "*")
        {
            return requested;
        }

        if (!IsPattern(template))
        {
            return template;
        }

        Match match;
        try
        {
            match = _regex.Match(requested);
        }
        catch (RegexMatchTimeoutException)
        {
            match = Match.Empty;
        }

        var captures = match.Success ? match.Groups.Values.Skip(1).Select(g => g.Value).ToArray() : [requested];
        var result = new System.Text.StringBuilder(template.Length + requested.Length);
        var next = 0;
        foreach (var c in template)
        {
            if (c == '*')
            {
                result.Append(captures[Math.Min(next++, captures.Length - 1)]);
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
