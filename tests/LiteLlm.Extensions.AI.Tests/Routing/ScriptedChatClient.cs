using System.Runtime.CompilerServices;

namespace LiteLlm.Tests.Routing;

/// <summary>A deployment double: answers by a settable callback and counts its calls.</summary>
public sealed class ScriptedChatClient : IChatClient
{
    private int _calls;

    public ScriptedChatClient(string name) => Name = name;

    public string Name { get; }

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets or sets the answer: by default the deployment's name as text.</summary>
    public Func<int, CancellationToken, Task<ChatResponse>>? OnCall { get; set; }

    /// <summary>Gets or sets the streamed answer: by default the name in two updates.</summary>
    public Func<int, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnStream { get; set; }

    public int Cancellations { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _calls);
        try
        {
            return OnCall is null
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, Name)) { Usage = new() { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 } }
                : await OnCall(n, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancellations++;
            throw;
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _calls);
        if (OnStream is not null)
        {
            await foreach (var update in OnStream(n, cancellationToken).WithCancellation(cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, Name[..1]);
        yield return new ChatResponseUpdate(ChatRole.Assistant, Name[1..]) { FinishReason = ChatFinishReason.Stop };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
