using System.Diagnostics.Metrics;
using LiteLlm.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds LiteLLM metrics and logs to a chat pipeline.</summary>
public static class LiteLlmTelemetryChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="LiteLlmTelemetryChatClient"/> to the pipeline. Compose it with MEAI's <c>UseOpenTelemetry()</c>
    /// for the GenAI semantic-convention spans: <c>.UseOpenTelemetry().UseLiteLlmTelemetry().UseResponseCaching()...</c>.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> resolves <see cref="ILoggerFactory"/> from the services.</param>
    /// <param name="meterName">The meter name; <see langword="null"/> for <c>LiteLlm</c>.</param>
    /// <param name="configure">Changes the client's settings (for example <see cref="LiteLlmTelemetryChatClient.EnableSensitiveData"/>).</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseLiteLlmTelemetry(
        this ChatClientBuilder builder, ILoggerFactory? loggerFactory = null, string? meterName = null, Action<LiteLlmTelemetryChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var logger = (loggerFactory ?? services.GetService<ILoggerFactory>())?.CreateLogger<LiteLlmTelemetryChatClient>();
            var client = new LiteLlmTelemetryChatClient(inner, logger, meterName, services.GetService<IMeterFactory>());
            configure?.Invoke(client);
            return client;
        });
    }
}
