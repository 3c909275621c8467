using LiteLlm.Providers;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>Builds factories wired to a fake upstream and a fake environment.</summary>
public static class TestFactory
{
    public static LiteLlmClientFactory Create(FakeUpstream upstream, IDictionary<string, string>? environment = null, ProviderRegistry? providers = null)
    {
        var env = environment ?? new Dictionary<string, string>();
        return new LiteLlmClientFactory(new LiteLlmClientFactoryOptions
        {
            HttpMessageHandler = upstream,
            EnvironmentVariables = name => env.TryGetValue(name, out var v) ? v : null,
            Providers = providers ?? new ProviderRegistry(),
        });
    }
}
