using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Tests.Routing;

namespace LiteLlm.Tests.Conveniences;

/// <summary>One prompt, many models: every answer as it arrives, or the first one with the rest cancelled.</summary>
public sealed class MultiModelTests
{
    private static readonly List<ChatMessage> Prompt = [new(ChatRole.User, "Hello")];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IChatClient Mock(LiteLlmClientFactory factory, string model, string response, int latencyMs)
        => factory.CreateChatClient("mock/" + model, new ProviderOptions
        {
            Settings = new Dictionary<string, object?> { [CallSettings.MockResponse] = response, [CallSettings.MockLatency] = latencyMs },
        });

    [Fact]
    public async Task AllAnswers_ComeInCompletionOrder_ErrorsIncluded()
    {
        using var factory = TestFactory.Create(new FakeUpstream());
        IChatClient[] clients =
        [
            Mock(factory, "slow", "slow answer", 700),
            Mock(factory, "fast", "fast answer", 0),
            Mock(factory, "failing", "litellm.RateLimitError", 250),
        ];

        var results = new List<ModelResult>();
        await foreach (var result in Llm.CompletionFromModelsAsync(clients, Prompt, cancellationToken: Ct))
        {
            results.Add(result);
        }

        Assert.Equal(["mock/fast", "mock/failing", "mock/slow"], results.Select(r => r.Model));
        Assert.Equal([1, 2, 0], results.Select(r => r.Index));
        Assert.Equal("fast answer", results[0].Response!.Text);
        Assert.IsType<RateLimitException>(results[1].Error);
        Assert.Equal("slow answer", results[2].Response!.Text);
    }

    [Fact]
    public async Task AllAnswers_ByModelString_ReportAnUnknownModelAsAResult()
    {
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "hi" } };

        var results = new List<ModelResult>();
        await foreach (var result in Llm.CompletionFromModelsAsync(["mock/one", "no-such-provider/x", "mock/two"], Prompt, options, Ct))
        {
            results.Add(result);
        }

        Assert.Equal(3, results.Count);
        Assert.Equal(["mock/one", "mock/two", "no-such-provider/x"], results.Select(r => r.Model).Order(StringComparer.Ordinal));
        Assert.IsType<UnknownModelException>(results.Single(r => r.Model == "no-such-provider/x").Error);
        Assert.All(results.Where(r => r.Model.StartsWith("mock/", StringComparison.Ordinal)), r => Assert.Equal("hi", r.Response!.Text));
    }

    [Fact]
    public async Task FirstAnswer_Wins_AndTheLosersSeeTheCancellation()
    {
        var loserCancelled = new[] { new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        ScriptedChatClient Loser(string name, TaskCompletionSource cancelled) => new(name)
        {
            OnCall = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.SetResult();
                    throw;
                }

                throw new InvalidOperationException("unreachable");
            },
        };
        var slow1 = Loser("slow1", loserCancelled[0]);
        var winner = new ScriptedChatClient("winner") { OnCall = async (_, ct) => { await Task.Delay(20, ct); return new ChatResponse(new ChatMessage(ChatRole.Assistant, "winner")); } };
        var slow2 = Loser("slow2", loserCancelled[1]);

        var result = await Llm.FirstCompletionAsync([slow1, winner, slow2], Prompt, cancellationToken: Ct);

        Assert.Equal(1, result.Index);
        Assert.Equal("winner", result.Response!.Text);
        await Task.WhenAll(loserCancelled.Select(t => t.Task)).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // The scripted client counts a cancellation after its callback rethrows, just after the signal above: wait for it.
        for (var waited = 0; (slow1.Cancellations < 1 || slow2.Cancellations < 1) && waited < 10_000; waited += 10)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal(1, slow1.Cancellations);
        Assert.Equal(1, slow2.Cancellations);
    }

    [Fact]
    public async Task FirstAnswer_CancelsAHangingUpstreamRequest()
    {
        var cancelledAtTheWire = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hanging = new FakeUpstream().Enqueue(async (_, ct) =>
        {
            arrived.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelledAtTheWire.SetResult();
                throw;
            }

            throw new InvalidOperationException("unreachable");
        });
        using var openAi = TestFactory.Create(hanging, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" });
        // The winner answers once the loser's request is on the wire.
        var quick = new ScriptedChatClient("quick") { OnCall = async (_, ct) => { await arrived.Task.WaitAsync(ct); return new ChatResponse(new ChatMessage(ChatRole.Assistant, "quick answer")); } };

        var result = await Llm.FirstCompletionAsync([openAi.CreateChatClient("openai/gpt-4o-mini"), quick], Prompt, cancellationToken: Ct);

        Assert.Equal(1, result.Index);
        Assert.Equal("client[1]", result.Model);
        Assert.Equal("quick answer", result.Response!.Text);
        await cancelledAtTheWire.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Single(hanging.Requests);
    }

    [Fact]
    public async Task FirstAnswer_SkipsFailures_AndThrowsWhenAllFail()
    {
        using var factory = TestFactory.Create(new FakeUpstream());
        var quickFailure = Mock(factory, "broken", "litellm.AuthenticationError", 0);

        var result = await Llm.FirstCompletionAsync([quickFailure, Mock(factory, "ok", "fine", 50)], Prompt, cancellationToken: Ct);
        Assert.Equal("fine", result.Response!.Text);

        var error = await Assert.ThrowsAsync<AggregateException>(() => Llm.FirstCompletionAsync([quickFailure, Mock(factory, "limited", "litellm.RateLimitError", 10)], Prompt, cancellationToken: Ct));
        Assert.Collection(error.InnerExceptions, e => Assert.IsType<AuthenticationException>(e), e => Assert.IsType<RateLimitException>(e));
    }

    [Fact]
    public async Task FirstAnswer_ByModelString_AndCallerCancellation()
    {
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "by name" } };
        var result = await Llm.FirstCompletionAsync(["no-such-provider/x", "mock/named"], Prompt, options, Ct);
        Assert.Equal("mock/named", result.Model);
        Assert.Equal("by name", result.Response!.Text);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var slow = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "late", [CallSettings.MockLatency] = 60_000 } };
        var pending = Llm.FirstCompletionAsync(["mock/a", "mock/b"], Prompt, slow, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }
}
