using LiteLlm.Cost;
using LiteLlm.Models;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="CostTrackingChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class CostTrackingChatClientBuilderExtensions
{
    /// <summary>
    /// Prices every response and stream with <paramref name="catalog"/> (default: <see cref="ModelCatalog.Default"/>),
    /// setting <see cref="LiteLlm.ResponseProperties.Cost"/>. In the house pipeline it sits below the cache (cached answers
    /// cost nothing) and above the router (the deployment that served the call is priced).
    /// </summary>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, ModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new CostTrackingChatClient(inner, catalog));
    }
}
