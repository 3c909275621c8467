using LiteLlm.Cost;

namespace LiteLlm.Tests.Cost;

public sealed class TokenCounterTests
{
    [Theory]
    [InlineData("gpt-4o-mini", TokenEncoding.O200kBase)]
    [InlineData("openai/gpt-4.1", TokenEncoding.O200kBase)]
    [InlineData("o3-mini", TokenEncoding.O200kBase)]
    [InlineData("azure/gpt-5", TokenEncoding.O200kBase)]
    [InlineData("gpt-4", TokenEncoding.Cl100kBase)]
    [InlineData("gpt-3.5-turbo", TokenEncoding.Cl100kBase)]
    [InlineData("text-embedding-3-small", TokenEncoding.Cl100kBase)]
    [InlineData("claude-sonnet-4-20250514", TokenEncoding.Cl100kBase)]
    [InlineData(null, TokenEncoding.Cl100kBase)]
    public void PicksTheEncodingByFamily(string? model, object expected) => Assert.Equal((TokenEncoding)expected, TokenCounter.EncodingFor(model)); // object: the enum is internal

    [Fact]
    public void EstimatesFourCharactersATokenPlusOne_FromTextOnly()
    {
        // 40 characters of text over two messages (the image adds nothing): 40 / 4 + 1.
        ChatMessage[] messages =
        [
            new(ChatRole.System, new string('s', 12)),
            new(ChatRole.User, [new TextContent(new string('u', 28)), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]),
        ];
        Assert.Equal(11, TokenCounter.EstimateTokens(messages));
        Assert.Equal(1, TokenCounter.EstimateTokens([]));
    }

    [Fact]
    public void CountsKnownStrings()
    {
        // tiktoken: "tiktoken is great!" is 6 tokens in cl100k_base; "Hello, world!" is 4 in both encodings.
        Assert.Equal(6, TokenCounter.CountTokens("tiktoken is great!", "gpt-4"));
        Assert.Equal(4, TokenCounter.CountTokens("Hello, world!", "gpt-4o"));
        Assert.Equal(4, TokenCounter.CountTokens("Hello, world!", "gpt-3.5-turbo"));
        Assert.Equal(0, TokenCounter.CountTokens(string.Empty, "gpt-4o"));
    }

    [Fact]
    public void CountsMessagesWithOverheadAndTools()
    {
        ChatMessage[] messages = [new(ChatRole.System, "Hello, world!"), new(ChatRole.User, "Hello, world!")];

        // 3 reply priming + 2 × (3 per message + 1 for the role + 4 for the text)
        Assert.Equal(3 + (2 * (3 + 1 + 4)), TokenCounter.CountTokens(messages, "gpt-4o"));

        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather");
        Assert.True(TokenCounter.CountTokens(messages, "gpt-4o", [tool]) > TokenCounter.CountTokens(messages, "gpt-4o") + 10);
    }
}
