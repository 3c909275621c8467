using System.Text.Json;

namespace LiteLlm.Tests.Providers.Ollama;

public sealed class OllamaWireTests
{
    private readonly FakeUpstream _upstream = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_PostsToApiChatOnTheDefaultLocalBase()
    {
        _upstream.Json("""{"model":"llama3.2","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":1}""");
        var options = new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 20, AdditionalProperties = new() { ["options"] = new Dictionary<string, object> { ["num_ctx"] = 4096 }, ["keep_alive"] = "5m" } };

        var response = await TestFactory.Create(_upstream).CreateChatClient("ollama/llama3.2").GetResponseAsync([new(ChatRole.System, "sys"), new(ChatRole.User, "hello")], options, Ct);

        var request = _upstream.LastRequest;
        Assert.Equal("http://localhost:11434/api/chat", request.Uri.ToString());
        Assert.Null(request.Header("Authorization"));
        var body = request.Json;
        Assert.Equal("llama3.2", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("system", body.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(0.5, body.GetProperty("options").GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(20, body.GetProperty("options").GetProperty("num_predict").GetInt32());
        Assert.Equal(4096, body.GetProperty("options").GetProperty("num_ctx").GetInt32()); // pass-through merged into options
        Assert.Equal("5m", body.GetProperty("keep_alive").GetString());
        Assert.Equal("hi", response.Text);
        Assert.Equal(3, response.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task ImagesToolsAndJsonMode_AreSentInOllamasShape()
    {
        _upstream.Json("""{"model":"llava","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"{}"},"done":true}""");
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}}}""").RootElement)],
        };

        await TestFactory.Create(_upstream).CreateChatClient("ollama/llava").GetResponseAsync(
            [new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")])], options, Ct);

        var body = _upstream.LastRequest.Json;
        Assert.Equal("json", body.GetProperty("format").GetString());
        Assert.Equal("AQID", body.GetProperty("messages")[0].GetProperty("images")[0].GetString());
        Assert.Equal("get_weather", body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ApiBase_FromTheEnvironment()
    {
        _upstream.Json("""{"model":"m","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"hi"},"done":true}""");
        await TestFactory.Create(_upstream, new Dictionary<string, string> { ["OLLAMA_API_BASE"] = "http://gpu-box:11434" })
            .CreateChatClient("ollama_chat/m").GetResponseAsync("x", cancellationToken: Ct);
        Assert.Equal("http://gpu-box:11434/api/chat", _upstream.LastRequest.Uri.ToString());
    }

    [Fact]
    public async Task Embeddings_PostToApiEmbed()
    {
        _upstream.Json("""{"model":"nomic-embed-text","embeddings":[[0.1,0.2],[0.3,0.4]],"total_duration":1,"load_duration":1,"prompt_eval_count":4}""");
        var result = await TestFactory.Create(_upstream).CreateEmbeddingGenerator("ollama/nomic-embed-text").GenerateAsync(["a", "b"], cancellationToken: Ct);

        Assert.Equal("http://localhost:11434/api/embed", _upstream.LastRequest.Uri.ToString());
        Assert.Equal(JsonValueKind.Array, _upstream.LastRequest.Json.GetProperty("input").ValueKind);
        Assert.Equal(2, result.Count);
        Assert.Equal([0.3f, 0.4f], result[1].Vector.ToArray());
    }
}
