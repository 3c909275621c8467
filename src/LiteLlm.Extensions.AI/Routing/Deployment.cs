using System.Security.Cryptography;
using System.Text;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>
/// One way to serve a model group: a provider model with its credentials, limits and routing
/// weight (LiteLLM's <c>model_list</c> entry). Several deployments share one <see cref="ModelGroup"/>.
/// </summary>
public sealed record Deployment
{
    private string? _id;

    /// <summary>Gets the public model name callers ask for (LiteLLM's <c>model_name</c>).</summary>
    public required string ModelGroup { get; init; }

    /// <summary>Gets the provider model string (<c>openai/gpt-4o</c>, <c>azure/my-deployment</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Gets the endpoint and credential overrides of this deployment.</summary>
    public ProviderOptions? Provider { get; init; }

    /// <summary>Gets a stable id; by default a hash of the group, model, base and key (never the key itself).</summary>
    public string Id
    {
        get => _id ??= DefaultId();
        init => _id = value;
    }

    /// <summary>Gets the requests-per-minute limit (also a weight for <c>simple-shuffle</c>).</summary>
    public int? Rpm { get; init; }

    /// <summary>Gets the tokens-per-minute limit (also a weight for <c>simple-shuffle</c>).</summary>
    public int? Tpm { get; init; }

    /// <summary>Gets the routing weight for <c>simple-shuffle</c>. The default is 1 (or rpm/tpm when set).</summary>
    public double? Weight { get; init; }

    /// <summary>Gets the priority tier: lower orders are used first; higher only when no lower one is available.</summary>
    public int? Order { get; init; }

    /// <summary>Gets the largest prompt (tokens) this deployment takes, overriding the catalog.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>Gets how long this deployment rests after it is cooled down, overriding the router's.</summary>
    public TimeSpan? CooldownTime { get; init; }

    /// <summary>Gets how long a stream from this deployment may take to its first update, overriding the router's <c>stream_timeout</c>.</summary>
    public TimeSpan? StreamTimeout { get; init; }

    /// <summary>Gets the most calls this deployment runs at once, or <see langword="null"/> for no limit.</summary>
    public int? MaxParallelRequests { get; init; }

    /// <summary>Gets the deployment's tags (LiteLLM's <c>litellm_params.tags</c>), used by tag filtering; <c>default</c> takes untagged requests.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the access groups this deployment's model group belongs to (LiteLLM's <c>model_info.access_groups</c>): a key allowed a group may call it.</summary>
    public IReadOnlyList<string> AccessGroups { get; init; } = [];

    /// <summary>Gets per-deployment defaults applied to every call (temperature, max tokens, provider parameters).</summary>
    public Action<ChatOptions>? ConfigureOptions { get; init; }

    /// <summary>Gets a ready client to use instead of one created from <see cref="Model"/> (custom or test clients).</summary>
    public IChatClient? Client { get; init; }

    /// <summary>Gets a ready embedding generator to use instead of one created from <see cref="Model"/>.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; init; }

    private string DefaultId()
    {
        var text = string.Join('\n', ModelGroup, Model, Provider?.ApiBase, Provider?.ApiKey, Provider?.ApiVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ModelGroup} -> {Model} ({Id})"; // never the key
}
