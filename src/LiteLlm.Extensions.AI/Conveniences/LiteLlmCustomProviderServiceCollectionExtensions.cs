using LiteLlm;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers custom providers (LiteLLM's <c>custom_provider_map</c>) in a service collection.</summary>
public static class LiteLlmCustomProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers a custom provider so that <c>"{name}/&lt;model&gt;"</c> resolves through the container's
    /// <see cref="ProviderRegistry"/>. Adds that registry (built-ins plus every provider registered this way)
    /// and a <see cref="LiteLlmClientFactory"/> on it, unless the container already has them.
    /// </summary>
    /// <remarks>
    /// When the application registers its own <see cref="ProviderRegistry"/>, that registry is used as is and the
    /// custom providers must be registered on it directly.
    /// </remarks>
    public static IServiceCollection AddLiteLlmCustomProvider(this IServiceCollection services, string name, Func<IServiceProvider, ICustomProviderFactory> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new CustomProviderRegistration(name, factory));
        services.TryAddSingleton(static sp =>
        {
            var registry = new ProviderRegistry();
            foreach (var registration in sp.GetServices<CustomProviderRegistration>())
            {
                registry.RegisterCustom(registration.Name, registration.Factory(sp));
            }

            return registry;
        });
        services.TryAddSingleton(static sp => new LiteLlmClientFactory(new LiteLlmClientFactoryOptions { Providers = sp.GetRequiredService<ProviderRegistry>() }));
        return services;
    }

    /// <summary>Registers a custom provider whose chat client is made per model by <paramref name="createChatClient"/>.</summary>
    public static IServiceCollection AddLiteLlmCustomProvider(this IServiceCollection services, string name, Func<IServiceProvider, string, IChatClient> createChatClient)
    {
        ArgumentNullException.ThrowIfNull(createChatClient);
        return services.AddLiteLlmCustomProvider(name, sp => new DelegateProviderFactory(model => createChatClient(sp, model), null));
    }

    private sealed record CustomProviderRegistration(string Name, Func<IServiceProvider, ICustomProviderFactory> Factory);
}
