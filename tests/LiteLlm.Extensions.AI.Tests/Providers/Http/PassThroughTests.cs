using LiteLlm.Providers;
using LiteLlm.Tests.Providers.Anthropic;
using LiteLlm.Tests.Providers.Bedrock;
using LiteLlm.Tests.Providers.Cohere;
using LiteLlm.Tests.Providers.Gemini;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests.Providers.Http;

/// <summary>
/// A call's provider-specific fields and extra headers reach the wire of every hand-written provider, written by the
/// client that builds the request (no ambient state), and library settings never do.
/// </summary>
public sealed class PassThroughTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["OPENAI_API_KEY"] = "sk-openai-0123456789",
        ["ANTHROPIC_API_KEY"] = "sk-ant-0123456789",
        ["GEMINI_API_KEY"] = "AIza-0123456789",
        ["COHERE_API_KEY"] = "co-0123456789",
        ["AWS_BEARER_TOKEN_BEDROCK"] = "ABSK-key",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
    };

    public static TheoryData<string> Models => ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.0-flash", "cohere/command-r", "bedrock/amazon.nova-lite-v1:0"];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ProviderFieldsAndExtraHeaders_ReachTheWire_SettingsDoNot(string model)
    {
        var upstream = new FakeUpstream();
        upstream.Json(model.Split('/')[0] switch
        {
            "openai" => OpenAIWire.Completion("ok"),
            "anthropic" => AnthropicWire.Text("ok"),
            "gemini" => GeminiWire.Response(GeminiWire.Text("ok")),
            "cohere" => CohereWire.Text("ok"),
            _ => BedrockWire.Converse("ok"),
        });
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["vendor_knob"] = 3,
                [CallSettings.ExtraHeaders] = new Dictionary<string, string> { ["X-Request-Tag"] = "t1" },
                [CallSettings.Timeout] = 30,
                [CallSettings.Metadata] = new Dictionary<string, object?> { ["team"] = "a" },
            },
        };

        await TestFactory.Create(upstream, Environment).CreateChatClient(model).GetResponseAsync("Hi", options, TestContext.Current.CancellationToken);

        var request = upstream.LastRequest;
        Assert.Equal("t1", request.Header("X-Request-Tag"));
        var body = request.Json;
        // Converse takes a model's own fields in additionalModelRequestFields.
        var fields = model.StartsWith("bedrock/", StringComparison.Ordinal) ? body.GetProperty("additionalModelRequestFields") : body;
        Assert.Equal(3, fields.GetProperty("vendor_knob").GetInt32());
        Assert.False(body.TryGetProperty("extra_headers", out _));
        Assert.False(body.TryGetProperty("timeout", out _));
        Assert.False(body.TryGetProperty("metadata", out _));
    }

    [Fact]
    public async Task OpenAIEmbeddings_CarryPassThroughFields()
    {
        var upstream = new FakeUpstream();
        upstream.Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AAAAPwAAgL8="}],"model":"text-embedding-3-small","usage":{"prompt_tokens":1,"total_tokens":1}}""");
        var result = await TestFactory.Create(upstream, Environment).CreateEmbeddingGenerator("openai/text-embedding-3-small")
            .GenerateAsync(["hi"], new EmbeddingGenerationOptions { Dimensions = 2, AdditionalProperties = new() { ["user"] = "u-1" } }, TestContext.Current.CancellationToken);

        var body = upstream.LastRequest.Json;
        Assert.Equal("u-1", body.GetProperty("user").GetString());
        Assert.Equal(2, body.GetProperty("dimensions").GetInt32());
        Assert.Equal([0.5f, -1f], result[0].Vector.ToArray()); // base64 little-endian floats read as the SDK reads them
        Assert.Equal(1, result.Usage?.InputTokenCount);
    }
}
