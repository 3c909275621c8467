using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace LiteLlm.Caching;

/// <summary>
/// Answers repeated chat requests from a <see cref="HybridCache"/> (in-process L1, and the application's
/// <c>IDistributedCache</c>, e.g. Redis, as L2). Identical concurrent requests make one upstream call.
/// </summary>
/// <remarks>
/// <para>The key covers the model, messages, options, tools (name, description, schemas), response format and a
/// version. Requests with a <see cref="ChatOptions.ConversationId"/> are not cached (the provider keeps state).</para>
/// <para>Per-request controls go in <c>ChatOptions.AdditionalProperties["cache"]</c> as a dictionary or JSON object:
/// <c>no-cache</c> (do not read), <c>no-store</c> (do not write), <c>ttl</c> (seconds or <see cref="TimeSpan"/>) and
/// <c>namespace</c>.</para>
/// <para>Hits carry <see cref="ResponseProperties.CacheHit"/> = <see langword="true"/>, <see cref="ResponseProperties.Cost"/> = 0
/// and <see cref="ResponseProperties.Attempts"/> = 0; misses carry <see cref="ResponseProperties.CacheHit"/> = <see langword="false"/>.
/// Responses holding an <see cref="ErrorContent"/> and empty answers without tool calls are never stored.
/// A stream is answered from the cache by replaying the stored response as updates, and a streamed answer is
/// stored once it completes.</para>
/// </remarks>
public sealed class ResponseCachingChatClient : DelegatingChatClient
{
    private static readonly HybridCacheEntryOptions ProbeOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    /// <summary>How many decoded answers are kept beside the cache (see <see cref="Decode"/>); past it the memo starts over.</summary>
    private const int MaxDecoded = 256;

    private readonly HybridCache _cache;
    private readonly ConcurrentDictionary<string, Decoded> _decoded = new(StringComparer.Ordinal);
    private readonly ResponseCacheOptions _options;
    private readonly JsonSerializerOptions _json;
    private readonly string? _defaultModel;
    private HybridCacheEntryOptions? _defaultEntry;
    private ModelTags? _lastTags;

    /// <summary>Initializes a new instance of the <see cref="ResponseCachingChatClient"/> class.</summary>
    /// <param name="innerClient">The client whose answers are cached.</param>
    /// <param name="cache">The cache that stores answers.</param>
    /// <param name="options">The cache settings; <see langword="null"/> for the defaults.</param>
    public ResponseCachingChatClient(IChatClient innerClient, HybridCache cache, ResponseCacheOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _options = options ?? new ResponseCacheOptions();
        _options.Validate();
        _json = _options.JsonSerializerOptions;
        _defaultModel = innerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.ConversationId is not null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        var plan = Plan(messages, options);
        if (plan.Control.NoCache)
        {
            var fresh = MarkMiss(await base.GetResponseAsync(messages, options, cancellationToken));
            if (!plan.Control.NoStore && IsStorable(fresh))
            {
                await _cache.SetAsync(plan.Key, Serialize(fresh), plan.Entry, plan.Tags, cancellationToken);
            }

            return fresh;
        }

        if (plan.Control.NoStore)
        {
            var stored = await ProbeAsync(plan.Key, cancellationToken);
            return stored is not null
                ? MarkHit(Decode(plan.Key, stored))
                : MarkMiss(await base.GetResponseAsync(messages, options, cancellationToken));
        }

        // GetOrCreateAsync runs the factory once for all concurrent callers of one key (stampede protection).
        var fill = new Fill(this, messages, options);
        byte[] payload;
        try
        {
            payload = await _cache.GetOrCreateAsync(plan.Key, fill, static (f, ct) => f.RunAsync(ct), plan.Entry, plan.Tags, cancellationToken);
        }
        catch (UnstorableResponseException e)
        {
            // Not stored; the caller that made the call gets its response, callers that joined it get a copy.
            return fill.Response is { } own ? MarkMiss(own) : MarkHit(Deserialize(e.Payload));
        }

        return fill.Response is { } response ? MarkMiss(response) : MarkHit(Decode(plan.Key, payload));
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.ConversationId is not null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        var plan = Plan(messages, options);
        if (!plan.Control.NoCache && await ProbeAsync(plan.Key, cancellationToken) is { } stored)
        {
            var updates = MarkHit(Decode(plan.Key, stored)).ToChatResponseUpdates();
            if (updates.Length > 0)
            {
                Mark(updates[^1].AdditionalProperties ??= [], hit: true);
            }

            foreach (var update in updates)
            {
                yield return update;
            }

            yield break;
        }

        // Streams are not coalesced: each caller streams its own answer; the complete one is stored.
        var seen = plan.Control.NoStore ? null : new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            seen?.Add(update);
            yield return update;
        }

        if (seen is not null && seen.ToChatResponse() is var complete && IsStorable(complete))
        {
            await _cache.SetAsync(plan.Key, Serialize(complete), plan.Entry, plan.Tags, cancellationToken);
        }
    }

    private CachePlan Plan(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var control = ResponseCacheControl.From(options?.AdditionalProperties);
        var model = options?.ModelId ?? _defaultModel;
        var key = ResponseCacheKeys.ForChat(this, messages, options, model, control.Namespace ?? _options.Namespace, _json);
        return new CachePlan(key, control, EntryOptions(control.Ttl), TagsFor(model));
    }

    /// <summary>The entry's tags; the last model's array is kept (callers only read it), so a steady model makes none.</summary>
    private string[] TagsFor(string? model)
    {
        if (_lastTags is { } last && string.Equals(last.Model, model, StringComparison.Ordinal))
        {
            return last.Tags;
        }

        var tags = new ModelTags(model, [ResponseCacheKeys.ModelTag(model)]);
        _lastTags = tags;
        return tags.Tags;
    }

    private HybridCacheEntryOptions EntryOptions(TimeSpan? ttl)
    {
        if (ttl is null)
        {
            return _defaultEntry ??= NewEntryOptions(null);
        }

        return NewEntryOptions(ttl);
    }

    private HybridCacheEntryOptions NewEntryOptions(TimeSpan? ttl)
    {
        var expiration = ttl ?? _options.Expiration;
        var local = _options.LocalCacheExpiration is { } l && l < expiration ? l : expiration;
        return new HybridCacheEntryOptions { Expiration = expiration, LocalCacheExpiration = local };
    }

    private async ValueTask<byte[]?> ProbeAsync(string key, CancellationToken cancellationToken)
        => await _cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), ProbeOnly, cancellationToken: cancellationToken);

    private byte[] Serialize(ChatResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, _json.GetTypeInfo(typeof(ChatResponse)));

    private ChatResponse Deserialize(byte[] payload)
        => (ChatResponse?)JsonSerializer.Deserialize(payload, _json.GetTypeInfo(typeof(ChatResponse)))
           ?? throw new InvalidOperationException("The cache held an empty chat response.");

    /// <summary>
    /// Turns a stored payload into a response the caller owns. Deserializing the payload was most of a hit's cost
    /// (profiled: ~60 % of the cache layer), so the last decoded answer of each key is kept beside the cache and a hit
    /// whose payload is byte for byte the one decoded before gets a copy of it instead. The cache stays the only
    /// source of truth (expiry, tags, removal, L2): the payload is still read from it on every hit.
    /// </summary>
    private ChatResponse Decode(string key, byte[] payload)
    {
        if (_decoded.TryGetValue(key, out var known) && known.Payload.AsSpan().SequenceEqual(payload))
        {
            return Copy(known.Template);
        }

        var template = Deserialize(payload);
        if (_decoded.Count >= MaxDecoded)
        {
            _decoded.Clear();
        }

        _decoded[key] = new Decoded(payload, template);
        return Copy(template);
    }

    /// <summary>
    /// A copy of a decoded answer with its own lists, dictionaries and usage, so that what a caller (or a layer above)
    /// changes never reaches the next hit. The content items themselves are shared: layers read them, they do not
    /// change them.
    /// </summary>
    private static ChatResponse Copy(ChatResponse template)
    {
        var messages = new List<ChatMessage>(template.Messages.Count);
        foreach (var message in template.Messages)
        {
            var copy = message.Clone();
            copy.Contents = [.. message.Contents];
            copy.AdditionalProperties = message.AdditionalProperties?.Clone();
            messages.Add(copy);
        }

        UsageDetails? usage = null;
        if (template.Usage is { } stored)
        {
            usage = new UsageDetails();
            usage.Add(stored);
        }

#pragma warning disable MEAI001 // ContinuationToken is experimental; copied so the copy says what the stored answer says
        return new ChatResponse(messages)
        {
            ContinuationToken = template.ContinuationToken,
            ResponseId = template.ResponseId,
            ConversationId = template.ConversationId,
            ModelId = template.ModelId,
            CreatedAt = template.CreatedAt,
            FinishReason = template.FinishReason,
            Usage = usage,
            AdditionalProperties = template.AdditionalProperties?.Clone(),
        };
#pragma warning restore MEAI001
    }

    /// <summary>Errors are never stored, nor empty answers (no text, no tool call, no other content).</summary>
    internal static bool IsStorable(ChatResponse response)
    {
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        if (contents.Any(c => c is ErrorContent))
        {
            return false;
        }

        return !string.IsNullOrWhiteSpace(response.Text) || contents.Any(c => c is not (TextContent or TextReasoningContent or UsageContent));
    }

    private static ChatResponse MarkHit(ChatResponse response)
    {
        Mark(response.AdditionalProperties ??= [], hit: true);
        return response;
    }

    private static ChatResponse MarkMiss(ChatResponse response)
    {
        Mark(response.AdditionalProperties ??= [], hit: false);
        return response;
    }

    private static void Mark(AdditionalPropertiesDictionary properties, bool hit)
    {
        properties[ResponseProperties.CacheHit] = hit;
        if (hit)
        {
            // A hit made no provider call: it cost nothing and took no attempts.
            properties[ResponseProperties.Cost] = 0m;
            properties[ResponseProperties.Attempts] = 0;
        }
    }

    private sealed record Decoded(byte[] Payload, ChatResponse Template);

    private sealed record ModelTags(string? Model, string[] Tags);

    private readonly record struct CachePlan(string Key, ResponseCacheControl Control, HybridCacheEntryOptions Entry, string[] Tags);

    /// <summary>The factory state of one <c>HybridCache.GetOrCreateAsync</c> call.</summary>
    private sealed class Fill(ResponseCachingChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        /// <summary>Gets the response when this caller's factory ran (a miss), else <see langword="null"/> (a hit or a joined call).</summary>
        public ChatResponse? Response { get; private set; }

        public async ValueTask<byte[]> RunAsync(CancellationToken cancellationToken)
        {
            var response = await owner.InnerClient.GetResponseAsync(messages, options, cancellationToken);
            Response = response;
            var payload = owner.Serialize(response);
            return IsStorable(response) ? payload : throw new UnstorableResponseException(payload);
        }
    }

    /// <summary>Leaves the cache's factory without storing; carries the answer to every caller that waited for it.</summary>
#pragma warning disable CA1064 // private control-flow exception, never seen outside this type
    private sealed class UnstorableResponseException(byte[] payload) : Exception("The response is not stored in the cache.")
#pragma warning restore CA1064
    {
        public byte[] Payload { get; } = payload;
    }
}
