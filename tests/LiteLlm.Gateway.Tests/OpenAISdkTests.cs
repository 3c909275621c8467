using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;

namespace LiteLlm.Gateway.Tests;

/// <summary>The official OpenAI .NET SDK against a real gateway: chat, stream, tools, embeddings (base64), models.</summary>
public sealed class OpenAISdkTests : IAsyncLifetime
{
    private const string Config = """
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: "Hello from the gateway."}
          - model_name: tools
            litellm_params:
              model: mock/tools
              mock_tool_calls: '[{"id":"call_1","name":"get_weather","arguments":{"city":"Paris"}},{"id":"call_2","name":"get_time","arguments":{"city":"Paris"}}]'
          - model_name: embed
            litellm_params: {model: mock/embed}
        """;

    private GatewayFixture _gateway = null!;
    private OpenAIClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await GatewayFixture.StartAsync(Config);
        _client = new OpenAIClient(new ApiKeyCredential("sk-anything"), new OpenAIClientOptions { Endpoint = new Uri(_gateway.BaseAddress + "/v1") });
    }

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task Chat()
    {
        ChatCompletion completion = await _client.GetChatClient("chat").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Hello from the gateway.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.TotalTokenCount > 0);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream()
    {
        var text = "";
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in _client.GetChatClient("chat").CompleteChatStreamingAsync([new UserChatMessage("Hi")], cancellationToken: TestContext.Current.CancellationToken))
        {
            text += string.Concat(update.ContentUpdate.Select(c => c.Text));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello from the gateway.", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage); // the SDK asks for include_usage
    }

    [Fact]
    public async Task ToolCalls_NonStreamingAndStreaming()
    {
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) } };
        ChatCompletion completion = await _client.GetChatClient("tools").CompleteChatAsync([new UserChatMessage("Weather?")], options, TestContext.Current.CancellationToken);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(["call_1", "call_2"], completion.ToolCalls.Select(c => c.Id));
        Assert.Equal("Paris", System.Text.Json.JsonDocument.Parse(completion.ToolCalls[0].FunctionArguments).RootElement.GetProperty("city").GetString());

        var names = new Dictionary<int, string>();
        var args = new Dictionary<int, string>();
        await foreach (var update in _client.GetChatClient("tools").CompleteChatStreamingAsync([new UserChatMessage("Weather?")], options, TestContext.Current.CancellationToken))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                if (call.FunctionName is { } name)
                {
                    names[call.Index] = name;
                }

                args[call.Index] = (args.GetValueOrDefault(call.Index) ?? "") + call.FunctionArgumentsUpdate?.ToString();
            }
        }

        Assert.Equal(["get_weather", "get_time"], names.OrderBy(n => n.Key).Select(n => n.Value));
        Assert.Contains("Paris", args[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_AsBase64()
    {
        OpenAIEmbeddingCollection embeddings = await _client.GetEmbeddingClient("embed").GenerateEmbeddingsAsync(["a", "b"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(16, embeddings[0].ToFloats().Length);
        Assert.InRange(embeddings[0].ToFloats().ToArray().Sum(x => x * x), 0.99, 1.01); // the mock's unit vectors survive base64
    }

    [Fact]
    public async Task Models()
    {
        var models = (await _client.GetOpenAIModelClient().GetModelsAsync(TestContext.Current.CancellationToken)).Value;
        Assert.Equal(["chat", "embed", "tools"], models.Select(m => m.Id).Order());
    }
}
