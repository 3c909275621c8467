using LiteLlm.Providers;
using Microsoft.Extensions.AI;

/// <summary>
/// Plays the model's part offline, on the mock provider: the first round trip of a turn asks for a tool call,
/// the next one answers with the tool's result. A mock deployment scripted with <c>mock_tool_calls</c> (or a
/// <c>mock_responses</c> script) does the same from config; here the script is set per call, in
/// <see cref="ChatOptions.AdditionalProperties"/>, so that the tool's arguments come from the user's words.
/// </summary>
internal static class OfflineToolScript
{
    /// <summary>Adds the script to a pipeline, inside its function invocation so that it sees every round trip.</summary>
    /// <remarks>A call that offers no tools gets the mock's usual echo.</remarks>
    public static ChatClientBuilder UseOfflineToolScript(this ChatClientBuilder builder, Func<string, Dictionary<string, object?>> argumentsFor)
        => builder.Use((messages, options, next, cancellationToken) =>
        {
            var list = messages.ToList();
            var scripted = options?.Clone() ?? new ChatOptions();
            scripted.AdditionalProperties ??= [];
            if (list[^1].Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
            {
                scripted.AdditionalProperties[CallSettings.MockResponse] = $"The tool says: {result.Result}";
            }
            else
            {
                // Call the first tool offered, with arguments taken from the user's words.
                var tool = scripted.Tools?.OfType<AIFunctionDeclaration>().FirstOrDefault();
                if (tool is not null)
                {
                    var arguments = argumentsFor(list.Last(m => m.Role == ChatRole.User).Text);
                    scripted.AdditionalProperties[CallSettings.MockToolCalls] = new[] { new FunctionCallContent("call_" + list.Count, tool.Name, arguments) };
                }
            }

            return next(list, scripted, cancellationToken);
        });
}
