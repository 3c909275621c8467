using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Caching;

/// <summary>Settings of the response cache (<see cref="ResponseCachingChatClient"/> and <see cref="EmbeddingCachingGenerator"/>).</summary>
public sealed class ResponseCacheOptions
{
    /// <summary>Gets or sets how long an entry lives in the cache (both tiers) unless a request sets <c>ttl</c>.</summary>
    /// <value>The default is one hour.</value>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long an entry lives in the in-process tier; it never exceeds the entry's expiration.</summary>
    /// <value>The default is <see langword="null"/>: the same as the entry's expiration.</value>
    public TimeSpan? LocalCacheExpiration { get; set; }

    /// <summary>Gets or sets the namespace put in front of every key unless a request names its own.</summary>
    /// <value>The default is <see langword="null"/>: no namespace.</value>
    public string? Namespace { get; set; }

    /// <summary>Gets or sets the serializer options used for keys and stored values.</summary>
    /// <value>The default is <see cref="AIJsonUtilities.DefaultOptions"/>.</value>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = AIJsonUtilities.DefaultOptions;

    internal void Validate()
    {
        if (Expiration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Expiration), Expiration, "The cache expiration must be positive.");
        }

        if (LocalCacheExpiration is { } local && local <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LocalCacheExpiration), local, "The local cache expiration must be positive.");
        }

        ArgumentNullException.ThrowIfNull(JsonSerializerOptions);
    }
}
