using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;
using LiteLlm.Observability;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>
/// The <c>mock/replay</c> deployment: answers from a file written by <see cref="Observability.RecordingChatClient"/>
/// (<c>replay_file</c>), with the recorded response or the recorded stream updates, exactly.
/// </summary>
/// <remarks>
/// A call is matched to the recorded calls with the same conversation (roles, text, tool calls and tool results;
/// ids and metadata ignored). Several recordings of one conversation are played in file order, then the last one
/// again. A streamed call prefers a streamed recording (and a plain call a plain one); otherwise the answer is
/// converted. A conversation that was never recorded is an error that says so.
/// </remarks>
internal sealed class MockReplayChatClient : IChatClient
{
    /// <summary>The deployment setting naming the recording (a path; relative paths are against the working directory).</summary>
    public const string ReplayFile = "replay_file";

    private static readonly HashSet<string> DefaultFields = new(RecordingFormat.DefaultRedactedFields, StringComparer.Ordinal);

    private readonly string _model;
    private readonly string _path;
    private readonly ChatClientMetadata _metadata;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _played = new(StringComparer.Ordinal);
    private DateTime _loadedAt;
    private List<(string Key, JsonObject Entry)> _entries = [];

    public MockReplayChatClient(string model, string path)
    {
        _model = model;
        _path = Path.GetFullPath(path);
        _metadata = new ChatClientMetadata("mock", new Uri("mock://local/"), model);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Find(messages, stream: false);
        var response = entry["response"] is { } recorded
            ? recorded.Deserialize(AIJson<ChatResponse>.Info)!
            : Updates(entry).ToChatResponse();
        return Task.FromResult(response);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var entry = Find(messages, stream: true);
        var updates = entry["updates"] is not null
            ? Updates(entry)
            : entry["response"]!.Deserialize(AIJson<ChatResponse>.Info)!.ToChatResponseUpdates();
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }

    private static ChatResponseUpdate[] Updates(JsonObject entry)
        => entry["updates"]!.AsArray().Select(u => u.Deserialize(AIJson<ChatResponseUpdate>.Info)!).ToArray();

    private JsonObject Find(IEnumerable<ChatMessage> messages, bool stream)
    {
        var incoming = JsonSerializer.SerializeToNode<IList<ChatMessage>>(messages.ToList(), AIJson<IList<ChatMessage>>.Info);

        // The recording was redacted; the conversation is compared as it was written.
        RecordingFormat.Redact(incoming, DefaultFields);
        var key = Key(incoming);
        lock (_lock)
        {
            Load();
            var candidates = _entries.Where(e => e.Key == key).Select(e => e.Entry).ToList();
            if (candidates.Count == 0)
            {
                throw ErrorMapper.FromStatus("mock", _model, System.Net.HttpStatusCode.BadRequest,
                    $"mock/replay: no call in '{_path}' ({_entries.Count} recorded) has this conversation; record it first.");
            }

            var sameMode = candidates.Where(e => e["stream"]?.GetValue<bool>() == stream).ToList();
            var pool = sameMode.Count > 0 ? sameMode : candidates;
            var slot = key + (stream ? "\u0001s" : "\u0001p");
            var played = _played.GetValueOrDefault(slot);
            _played[slot] = played + 1;
            return pool[Math.Min(played, pool.Count - 1)];
        }
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            throw ErrorMapper.FromStatus("mock", _model, System.Net.HttpStatusCode.BadRequest, $"mock/replay: the replay_file '{_path}' does not exist.");
        }

        // Read again when the file changed (a test that records, then replays in one process).
        var written = File.GetLastWriteTimeUtc(_path);
        if (written == _loadedAt && _entries.Count > 0)
        {
            return;
        }

        var entries = new List<(string, JsonObject)>();
        var number = 0;
        foreach (var line in File.ReadLines(_path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonObject entry;
            try
            {
                entry = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException e)
            {
                throw ErrorMapper.FromStatus("mock", _model, System.Net.HttpStatusCode.BadRequest, $"mock/replay: line {number} of '{_path}' is not a recorded call ({e.Message}).");
            }

            entries.Add((Key(entry["request"]?["messages"]), entry));
        }

        _entries = entries;
        _loadedAt = written;
        _played.Clear();
    }

    // Roles and what was said: text, tool calls and their results; ids of messages and other metadata are not compared.
    private static string Key(JsonNode? messages)
    {
        var key = new StringBuilder();
        foreach (var message in messages?.AsArray() ?? [])
        {
            key.Append(message?["role"]?.ToJsonString()).Append('[');
            foreach (var content in message?["contents"]?.AsArray() ?? [])
            {
                foreach (var name in (string[])["$type", "text", "callId", "name", "arguments", "result"])
                {
                    if (content?[name] is { } value)
                    {
                        key.Append(name).Append('=').Append(value.ToJsonString()).Append(';');
                    }
                }

                key.Append('|');
            }

            key.Append(']');
        }

        return key.ToString();
    }
}
