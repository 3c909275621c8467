using System.ClientModel;
using System.Text.Json;
using OpenAI.Chat;

namespace LiteLlm.Gateway.Tests;

/// <summary>The official OpenAI .NET SDK against a real Kestrel gateway.</summary>
public sealed class OpenAiSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_ReturnsTheAnswerUsageAndFinishReason()
    {
        await using var host = await GatewayHost.StartAsync();
        var result = await host.OpenAi.GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Ct);

        var completion = result.Value;
        Assert.Equal("Hello there, general Kenobi", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.Null(completion.Refusal);
    }

    [Fact]
    public async Task Stream_DeliversTextFinishReasonAndUsage()
    {
        await using var host = await GatewayHost.StartAsync();
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        var options = new ChatCompletionOptions(); // the SDK asks for include_usage itself
        await foreach (var update in host.OpenAi.GetChatClient("gpt-4o-mini").CompleteChatStreamingAsync([new UserChatMessage("Hi")], options, Ct))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello there, general Kenobi", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.True(usage.TotalTokenCount > 0);
        Assert.True(updates >= 4, "every word arrives as its own chunk");
    }

    [Fact]
    public async Task ToolCalls_AreReturnedWithIdsNamesAndArguments()
    {
        await using var host = await GatewayHost.StartAsync();
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather", "Weather for a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")));
        options.Tools.Add(ChatTool.CreateFunctionTool("get_time", "Time in a zone"));

        var completion = (await host.OpenAi.GetChatClient("weather").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options, Ct)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(2, completion.ToolCalls.Count);
        Assert.Equal("call_weather_1", completion.ToolCalls[0].Id);
        Assert.Equal("get_weather", completion.ToolCalls[0].FunctionName);
        using var args = JsonDocument.Parse(completion.ToolCalls[0].FunctionArguments);
        Assert.Equal("Paris", args.RootElement.GetProperty("city").GetString());
        Assert.Equal("get_time", completion.ToolCalls[1].FunctionName);

        // The tool loop continues: the assistant's calls and the tool results go back through the gateway.
        List<ChatMessage> history = [new UserChatMessage("Weather in Paris?"), new AssistantChatMessage(completion.ToolCalls),
            new ToolChatMessage("call_weather_1", "18C and sunny"), new ToolChatMessage("call_time_2", "14:00")];
        var next = (await host.OpenAi.GetChatClient("gpt-4o-mini").CompleteChatAsync(history, options, Ct)).Value;
        Assert.Equal("Hello there, general Kenobi", next.Content[0].Text);
    }

    [Fact]
    public async Task StreamedToolCalls_AssembleIntoCalls()
    {
        await using var host = await GatewayHost.StartAsync();
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("get_weather"));
        var names = new Dictionary<int, string>();
        var ids = new Dictionary<int, string>();
        var arguments = new Dictionary<int, System.Text.StringBuilder>();
        ChatFinishReason? finish = null;
        await foreach (var update in host.OpenAi.GetChatClient("weather").CompleteChatStreamingAsync([new UserChatMessage("Weather?")], options, Ct))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                if (call.FunctionName is not null)
                {
                    names[call.Index] = call.FunctionName;
                }

                if (call.ToolCallId is not null)
                {
                    ids[call.Index] = call.ToolCallId;
                }

                (arguments.TryGetValue(call.Index, out var sb) ? sb : arguments[call.Index] = new()).Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("get_weather", names[0]);
        Assert.Equal("get_time", names[1]);
        Assert.Equal("call_weather_1", ids[0]);
        Assert.Equal("Paris", JsonDocument.Parse(arguments[0].ToString()).RootElement.GetProperty("city").GetString());
    }

    [Fact]
    public async Task Embeddings_DecodeFromBase64ToTheSameFloatsAsTheFloatFormat()
    {
        await using var host = await GatewayHost.StartAsync();

        // The SDK asks for base64 and decodes little-endian float32.
        var embedding = (await host.OpenAi.GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingAsync("hello world", cancellationToken: Ct)).Value;
        var fromSdk = embedding.ToFloats().ToArray();
        Assert.NotEmpty(fromSdk);

        var (_, body) = await host.PostJsonAsync("/v1/embeddings", """{"model":"text-embedding-3-small","input":"hello world","encoding_format":"float"}""");
        var floats = body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(floats, fromSdk);

        var batch = (await host.OpenAi.GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingsAsync(["a", "b", "c"], cancellationToken: Ct)).Value;
        Assert.Equal([0, 1, 2], batch.Select(e => e.Index));
    }

    [Fact]
    public async Task Models_ListEveryModelGroup()
    {
        await using var host = await GatewayHost.StartAsync();
        var models = (await host.OpenAi.GetOpenAIModelClient().GetModelsAsync(Ct)).Value;
        Assert.Equal(["gpt-4o-mini", "mock", "priced", "text-embedding-3-small", "weather"], models.Select(m => m.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UnknownModel_IsA404TheSdkRaises()
    {
        await using var host = await GatewayHost.StartAsync();
        var error = await Assert.ThrowsAsync<ClientResultException>(() => host.OpenAi.GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Ct));
        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamRateLimit_IsA429WithRetryAfter()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"mock","mock_response":"litellm.RateLimitError","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", body.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", body.GetProperty("code").GetString());
    }
}
