using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace LiteLlm.SemanticKernel;

/// <summary>
/// Agents (Microsoft Agent Framework's <see cref="ChatClientAgent"/>) over a kernel's LiteLlm pipeline,
/// with the kernel's plugins as the agent's tools.
/// </summary>
public static class LiteLlmAgents
{
    /// <summary>
    /// Creates an agent that talks through the kernel's chat client (registered with
    /// <see cref="LiteLlmKernelBuilderExtensions.AddLiteLlmChatClient(IKernelBuilder, string, LiteLlm.Providers.ProviderOptions?, string?, LiteLlmClientFactory?)"/>
    /// or <see cref="LiteLlmKernelBuilderExtensions.AddLiteLlmRouter"/>) and may call every kernel function.
    /// </summary>
    /// <param name="kernel">The kernel: its chat client, plugins and logger factory.</param>
    /// <param name="instructions">The agent's system instructions.</param>
    /// <param name="name">The agent's name.</param>
    /// <param name="serviceId">The chat client's service id, or <see langword="null"/> for the default client.</param>
    /// <param name="additionalTools">Tools beside the kernel's plugins.</param>
    /// <returns>The agent. Run it with <see cref="AIAgent.RunAsync(string, AgentSession?, AgentRunOptions?, CancellationToken)"/> and a session for multi-turn conversations.</returns>
    /// <remarks>
    /// The pipeline's function invocation (Semantic Kernel's, added by the registration) runs the tools, so the agent adds
    /// no second tool loop; the agent's chat options carry the kernel, so its auto function invocation and function invocation filters run.
    /// </remarks>
    public static ChatClientAgent CreateAgent(
        Kernel kernel, string? instructions = null, string? name = null, string? serviceId = null, IEnumerable<AITool>? additionalTools = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var client = serviceId is null
            ? kernel.Services.GetRequiredService<IChatClient>()
            : kernel.Services.GetRequiredKeyedService<IChatClient>(serviceId);
        // SK's own options type carries the kernel, so the pipeline's kernel function invocation runs
        // the kernel's auto function invocation filters for the agent's tool calls too.
        var chatOptions = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }.ToChatOptions(kernel)!;
        chatOptions.Instructions = instructions;
        if (additionalTools is not null)
        {
            chatOptions.Tools = [.. chatOptions.Tools ?? [], .. additionalTools];
        }

        return client.AsAIAgent(
            new ChatClientAgentOptions { Name = name, ChatOptions = chatOptions },
            kernel.Services.GetService<ILoggerFactory>(),
            kernel.Services);
    }
}
