using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Mock;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Observability;

/// <summary>
/// Appends every completed call (the request and the answer, or every stream update) to a JSONL file with keys and
/// configured fields redacted, so that a <c>mock/replay</c> deployment with <c>replay_file</c> can play it back exactly.
/// </summary>
/// <remarks>
/// Calls that fail are not written: a replay answers only what was answered. A stream is written once it has ended.
/// </remarks>
public sealed class RecordingChatClient : DelegatingChatClient
{
    // One lock per file, so that several clients (a router's deployments, the gateway's models) can share a recording.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    private readonly string _path;
    private readonly HashSet<string> _fields;

    /// <summary>Initializes a new instance of the <see cref="RecordingChatClient"/> class.</summary>
    /// <param name="innerClient">The client whose calls are recorded.</param>
    /// <param name="options">The file and the fields to redact.</param>
    public RecordingChatClient(IChatClient innerClient, RecordingOptions options)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.FilePath);
        _path = Path.GetFullPath(options.FilePath);
        _fields = new HashSet<string>(options.RedactedFields, StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        await WriteAsync(list, options, stream: false, "response", JsonSerializer.SerializeToNode(response, AIJson<ChatResponse>.Info), response.ModelId, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var updates = new JsonArray();
        string? model = null;
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            updates.AddNode(JsonSerializer.SerializeToNode(update, AIJson<ChatResponseUpdate>.Info));
            model ??= update.ModelId;
            yield return update;
        }

        await WriteAsync(list, options, stream: true, "updates", updates, model, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(IList<ChatMessage> messages, ChatOptions? options, bool stream, string answerName, JsonNode? answer, string? model, CancellationToken cancellationToken)
    {
        var line = new JsonObject
        {
            ["model"] = model ?? options?.ModelId,
            ["stream"] = stream,
            ["request"] = RecordingFormat.Request(messages, options),
            [answerName] = answer,
        };
        RecordingFormat.Redact(line, _fields);
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");

        var gate = Locks.GetOrAdd(_path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
