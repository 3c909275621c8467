using System.Net;
using System.Text;

namespace LiteLlm.Gateway.Tests;

/// <summary>Many streams at once through one gateway: every one completes whole.</summary>
[Collection("Gateway load")]
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private const string Config = """
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: "one two three four five six seven eight", mock_latency: 50}
        """;

    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHost.StartAsync(yaml: Config);

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task FiveHundredConcurrentStreams_AllComplete()
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 500 }) { BaseAddress = _gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
        var streams = Enumerable.Range(0, 500).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"chat","stream":true,"messages":[{"role":"user","content":"stream {{i}}"}]}""", Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            return (response.StatusCode, body);
        });

        var results = await Task.WhenAll(streams);

        Assert.All(results, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.EndsWith("data: [DONE]\n\n", r.body, StringComparison.Ordinal);
            Assert.Contains("\"finish_reason\":\"stop\"", r.body, StringComparison.Ordinal);
            Assert.Contains("\"content\":\" eight\"", r.body, StringComparison.Ordinal);
        });
    }
}
