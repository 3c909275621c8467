using System.Net;
using LiteLlm.Gateway.Tests.Fidelity;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// <c>router_settings.budget_aware_max_tokens</c>: a request whose <c>max_tokens</c> its budget cannot pay for reaches the
/// upstream with <c>max_tokens</c> lowered (and says so in a header); below the floor it is refused.
/// </summary>
[Collection("Gateway load")]
public sealed class BudgetAwareAdmissionTests : IDisposable
{
    private const string Master = "sk-master-budget-aware-0123456789";
    private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-budget-aware-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Every token is priced at input + output, $0.003, as the budget reservation prices it; "hi" is estimated at 1 token.
    private string Yaml(string address, bool aware) => $"""
        model_list:
          - model_name: up
            litellm_params: {"{"}model: openai/gpt-4o-mini, api_base: {address}, api_key: sk-up, input_cost_per_token: 0.001, output_cost_per_token: 0.002{"}"}
        router_settings:
          num_retries: 0
          budget_aware_max_tokens: {(aware ? "true" : "false")}
        general_settings:
          master_key: {Master}
          sqlite_path: {_db}
        """;

    [Fact]
    public async Task MaxTokensTheBudgetCannotPayFor_IsLoweredToWhatItCan_InTheUpstreamBodyAndAHeader()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", Answer);
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address, aware: true));

        // $0.90 left pays for 300 tokens: 1 of prompt, 299 of output.
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.9}""");
        using (var lowered = await Chat(gateway.Http, key, "up", ""","max_tokens":1000"""))
        {
            Assert.True(lowered.StatusCode == HttpStatusCode.OK, await lowered.Content.ReadAsStringAsync(Ct));
            Assert.Equal("299", lowered.Headers.GetValues("x-litellm-max-tokens-adjusted").Single());
            Assert.Equal(299, upstream.Last.Json.GetProperty("max_tokens").GetInt32());
        }

        // The caller's own field name is kept; the team's budget bounds its keys the same way.
        using (await Send(gateway.Http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-aware","max_budget":0.9}"""))
        {
        }

        var teamKey = await GenerateKeyAsync(gateway.Http, Master, """{"team_id":"t-aware"}""");
        using (var lowered = await Chat(gateway.Http, teamKey, "up", ""","max_completion_tokens":5000"""))
        {
            Assert.True(lowered.StatusCode == HttpStatusCode.OK, await lowered.Content.ReadAsStringAsync(Ct));
            Assert.Equal("299", lowered.Headers.GetValues("x-litellm-max-tokens-adjusted").Single());
            Assert.Equal(299, upstream.Last.Json.GetProperty("max_completion_tokens").GetInt32());
            Assert.False(upstream.Last.Json.TryGetProperty("max_tokens", out _));
        }

        // What the budget can pay for passes as sent, without the header.
        var roomy = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":10}""");
        using (var asSent = await Chat(gateway.Http, roomy, "up", ""","max_tokens":1000"""))
        {
            Assert.Equal(HttpStatusCode.OK, asSent.StatusCode);
            Assert.False(asSent.Headers.Contains("x-litellm-max-tokens-adjusted"));
            Assert.Equal(1000, upstream.Last.Json.GetProperty("max_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task OnMessagesAndResponses_TheCallersOwnBodyReachesTheUpstreamWithTheLoweredLimit()
    {
        const string AnthropicAnswer = """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}""";
        const string ResponsesAnswer = """{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"o3-pro","output":[{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"ok","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":1,"total_tokens":6}}""";
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = r => (200, "application/json", r.Path.EndsWith("/messages", StringComparison.Ordinal) ? AnthropicAnswer : ResponsesAnswer);
        var yaml = $"""
            model_list:
              - model_name: claude
                litellm_params: {"{"}model: anthropic/claude-sonnet-4-5, api_base: {upstream.Address}, api_key: sk-ant-up, input_cost_per_token: 0.001, output_cost_per_token: 0.002{"}"}
              - model_name: deep
                litellm_params: {"{"}model: openai/o3-pro, api_base: {upstream.Address}/v1, api_key: sk-up, use_responses_api: true, input_cost_per_token: 0.001, output_cost_per_token: 0.002{"}"}
            router_settings:
              num_retries: 0
              budget_aware_max_tokens: true
            general_settings:
              master_key: {Master}
              sqlite_path: {_db}
            """;
        await using var gateway = await GatewayHost.StartAsync(yaml: yaml);

        // $0.90 left pays for 300 tokens: 1 of prompt, 299 of output — on Anthropic's max_tokens and on Responses' max_output_tokens.
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.9}""");
        using (var lowered = await Send(gateway.Http, HttpMethod.Post, "/v1/messages", key, """{"model":"claude","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}"""))
        {
            Assert.True(lowered.StatusCode == HttpStatusCode.OK, await lowered.Content.ReadAsStringAsync(Ct));
            Assert.Equal("299", lowered.Headers.GetValues("x-litellm-max-tokens-adjusted").Single());
            Assert.Equal(299, upstream.Last.Json.GetProperty("max_tokens").GetInt32());
        }

        var other = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.9}""");
        using (var lowered = await Send(gateway.Http, HttpMethod.Post, "/v1/responses", other, """{"model":"deep","max_output_tokens":1000,"input":"hi"}"""))
        {
            Assert.True(lowered.StatusCode == HttpStatusCode.OK, await lowered.Content.ReadAsStringAsync(Ct));
            Assert.Equal("299", lowered.Headers.GetValues("x-litellm-max-tokens-adjusted").Single());
            Assert.EndsWith("/responses", upstream.Last.Path, StringComparison.Ordinal);
            Assert.Equal(299, upstream.Last.Json.GetProperty("max_output_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task BelowTheFloor_TheRequestIsRefused_AndNothingReachesTheUpstream()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", Answer);
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address, aware: true));

        // $0.50 pays for 165 output tokens, fewer than the default floor of 256.
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.5}""");
        using var refused = await Chat(gateway.Http, key, "up", ""","max_tokens":1000""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await Json(refused)).GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("165 output tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task WithoutTheSetting_MaxTokensIsSentAsAsked()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", Answer);
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address, aware: false));

        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.5}""");
        using var response = await Chat(gateway.Http, key, "up", ""","max_tokens":1000""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-litellm-max-tokens-adjusted"));
        Assert.Equal(1000, upstream.Last.Json.GetProperty("max_tokens").GetInt32());
    }

    public void Dispose()
    {
        foreach (var file in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(file);
        }
    }
}
