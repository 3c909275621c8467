using LiteLlm.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.AI;

/// <summary>Adds LiteLLM callbacks (<see cref="ILiteLlmCallback"/>) to a chat pipeline.</summary>
public static class CallbacksChatClientBuilderExtensions
{
    /// <summary>Adds a <see cref="CallbacksChatClient"/> to the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="callbacks">The handlers; <see langword="null"/> resolves every registered <see cref="ILiteLlmCallback"/> from the services.</param>
    /// <param name="configure">Changes the dispatch settings.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseCallbacks(this ChatClientBuilder builder, IEnumerable<ILiteLlmCallback>? callbacks = null, Action<LiteLlmCallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new LiteLlmCallbackOptions();
            configure?.Invoke(options);
            var handlers = callbacks ?? services.GetService<IEnumerable<ILiteLlmCallback>>() ?? [];
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger<CallbacksChatClient>();
            return new CallbacksChatClient(inner, handlers, options, logger);
        });
    }
}
