// A router over deployments: the "smart" group's only deployment is down, so calls fall back to "backup".
// Offline (default) both are mock deployments; pass a model to make the backup real, e.g.
//   OPENAI_API_KEY=... dotnet run --project samples/RouterWithFallbacks -- openai/gpt-4o-mini
using LiteLlm;
using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

var backupModel = args.Length > 0 ? args[0] : "mock/backup";
var options = new RouterOptions
{
    Deployments =
    {
        // Scripted to fail: the mock raises the named LiteLLM error on every call.
        new Deployment
        {
            ModelGroup = "smart",
            Model = "mock/primary",
            Provider = new ProviderOptions { Settings = new Dictionary<string, object?> { [CallSettings.MockResponse] = "litellm.ServiceUnavailableError" } },
        },
        new Deployment { ModelGroup = "backup", Model = backupModel },
    },
    Fallbacks = { ["smart"] = ["backup"] },
    NumRetries = 1,
    RetryBaseDelay = TimeSpan.FromMilliseconds(50),
};

using var router = new LiteLlmRouter(options);
var models = options.Deployments.ToDictionary(d => d.Id, d => d.Model);
try
{
    for (var i = 1; i <= 3; i++)
    {
        var response = await router.GetResponseAsync($"Question {i}: what is 2 + {i}?", new ChatOptions { ModelId = "smart" });
        var props = response.AdditionalProperties!;
        var fallbacks = props.TryGetValue(ResponseProperties.Fallbacks, out var f) ? string.Join(" -> ", (string[])f!) : "none";
        Console.WriteLine($"call {i}: served by {models[(string)props[ResponseProperties.Deployment]!]} "
            + $"(attempts: {props[ResponseProperties.Attempts]}, fallbacks: {fallbacks}): {response.Text}");
    }
}
catch (LiteLlmException e)
{
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}

return 0;
