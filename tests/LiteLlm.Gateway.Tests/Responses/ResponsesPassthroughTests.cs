using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LiteLlm.Gateway.Tests.Responses;

/// <summary>
/// Same protocol, lossless: OpenAI deployments served over the Responses API (a loopback upstream standing in for
/// api.openai.com) receive the caller's body with only the model changed, and their objects and events reach the caller
/// with only the response id changed.
/// </summary>
public sealed class ResponsesPassthroughTests : IAsyncLifetime
{
    // A response as OpenAI writes it (the spec's shapes), with what only OpenAI produces: encrypted reasoning, a built-in tool call.
    private const string UpstreamResponse = """
        {"id":"resp_upstream_1","object":"response","created_at":1741476542,"status":"completed","background":false,"error":null,"incomplete_details":null,
         "instructions":null,"max_output_tokens":null,"model":"o3-pro-2025-06-10","output":[
           {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Looked it up."}],"encrypted_content":"gAAAAB-opaque"},
           {"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"search","query":"weather paris"}},
           {"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Sunny in Paris.","annotations":[{"type":"url_citation","start_index":0,"end_index":5,"url":"https://example.com","title":"x"}],"logprobs":[]}]}],
         "parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"high","summary":"auto"},"store":true,"temperature":1.0,
         "text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[{"type":"web_search"}],"top_p":1.0,"truncation":"disabled",
         "usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":0},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":42},
         "user":null,"metadata":{},"x_future_field":{"kept":true}}
        """;

    private const string CallerBody = """
        {"model":"deep","input":"Weather in Paris?","tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content","web_search_call.action.sources"],
         "reasoning":{"effort":"high","summary":"auto"},"truncation":"auto","service_tier":"flex","x_future_param":[1,2,3],"metadata":{"trace":"t1"}}
        """;

    private readonly List<JsonObject> _received = [];
    private WebApplication _upstream = null!;
    private GatewayHost _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _upstream = builder.Build();
        _upstream.MapPost("/v1/responses", async context =>
        {
            var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
            lock (_received)
            {
                _received.Add(body);
            }

            Assert.Equal("Bearer sk-upstream", context.Request.Headers.Authorization.ToString());
            if (body["stream"]?.GetValue<bool>() == true)
            {
                context.Response.ContentType = "text/event-stream";
                foreach (var (type, data) in StreamEvents())
                {
                    await context.Response.WriteAsync($"event: {type}\ndata: {data}\n\n", context.RequestAborted);
                }

                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(UpstreamResponse, context.RequestAborted);
        });
        await _upstream.StartAsync(Ct);
        var address = _upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _gateway = await GatewayHost.StartAsync(yaml: $$"""
            model_list:
              - model_name: deep
                litellm_params: {model: openai/o3-pro, api_base: "{{address}}/v1", api_key: sk-upstream}
              - model_name: forced
                litellm_params: {model: openai/gpt-4o-mini, api_base: "{{address}}/v1", api_key: sk-upstream, use_responses_api: true}
              - model_name: bridged
                litellm_params: {model: mock/bridged, mock_response: "bridged answer"}
            router_settings:
              num_retries: 0
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Create_SendsTheCallersBodyWithOnlyTheModelChanged_AndReturnsTheProvidersObjectWithTheGatewaysId()
    {
        var (response, body) = await _gateway.PostJsonAsync("/v1/responses", CallerBody);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var sent = Assert.Single(_received);
        Assert.Equal("o3-pro", sent["model"]!.GetValue<string>());
        var expected = (JsonObject)JsonNode.Parse(CallerBody)!;
        expected.Remove("model");
        sent.Remove("model");
        Assert.True(JsonNode.DeepEquals(expected, sent), $"sent {sent.ToJsonString()}");

        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("resp_", id);
        Assert.NotEqual("resp_upstream_1", id);
        var upstream = (JsonObject)JsonNode.Parse(UpstreamResponse)!;
        var returned = (JsonObject)JsonNode.Parse(body.GetRawText())!;
        upstream.Remove("id");
        returned.Remove("id");
        Assert.True(JsonNode.DeepEquals(upstream, returned), $"returned {returned.ToJsonString()}");
        Assert.Equal("deep", response.Headers.GetValues("x-litellm-model-group").Single());
    }

    [Fact]
    public async Task Stream_ForwardsEveryProviderEventAsSent_WithTheGatewaysResponseId()
    {
        using var response = await _gateway.PostAsync("/v1/responses", CallerBody.Replace("\"model\":\"deep\"", "\"model\":\"deep\",\"stream\":true", StringComparison.Ordinal));
        var events = ResponsesBridgeTests.Events(await response.Content.ReadAsStringAsync(Ct));
        var upstream = StreamEvents();
        Assert.Equal(upstream.Select(e => e.Type), events.Select(e => e.Type));
        var id = events[0].Data.GetProperty("response").GetProperty("id").GetString();
        Assert.NotEqual("resp_upstream_1", id);
        for (var i = 0; i < events.Count; i++)
        {
            var expected = JsonNode.Parse(upstream[i].Data)!;
            var actual = JsonNode.Parse(events[i].Data.GetRawText())!;
            if (expected["response"] is JsonObject r)
            {
                Assert.Equal(id, actual["response"]!["id"]!.GetValue<string>());
                r["id"] = id;
            }

            Assert.True(JsonNode.DeepEquals(expected, actual), $"event {i}: {actual.ToJsonString()}");
        }

        Assert.True(Assert.Single(_received)["stream"]!.GetValue<bool>());

        // Stored as completed, under the gateway's id.
        var stored = JsonDocument.Parse(await _gateway.Http.GetStringAsync($"/v1/responses/{id}", Ct)).RootElement;
        Assert.Equal("gAAAAB-opaque", stored.GetProperty("output")[0].GetProperty("encrypted_content").GetString());
    }

    [Fact]
    public async Task PreviousResponseId_SpellsTheChainOutForTheProvider_KeepingEncryptedReasoningAndBuiltInItems()
    {
        var (_, first) = await _gateway.PostJsonAsync("/v1/responses", CallerBody);
        var (response, second) = await _gateway.PostJsonAsync("/v1/responses", $$"""{"model":"deep","input":"And tomorrow?","previous_response_id":"{{first.GetProperty("id")}}"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("previous_response_id").GetString());

        var sent = _received[^1];
        Assert.Null(sent["previous_response_id"]);
        var input = sent["input"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["message", "reasoning", "web_search_call", "message", "message"], input);
        Assert.Equal("gAAAAB-opaque", sent["input"]![1]!["encrypted_content"]!.GetValue<string>());
        Assert.Equal("And tomorrow?", sent["input"]![4]!["content"]!.GetValue<string>());
        Assert.Null(sent["input"]![3]!["id"]); // the stored message's id is the gateway's to know, not OpenAI's
    }

    [Fact]
    public async Task CatalogModeOrSetting_ChoosesTheResponsesApi_AndABridgedGroupStillRefusesBuiltInTools()
    {
        var (forced, _) = await _gateway.PostJsonAsync("/v1/responses", """{"model":"forced","input":"hi"}""");
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Equal("gpt-4o-mini", _received[^1]["model"]!.GetValue<string>());

        // Chat completions to a Responses-only model go over /responses too, translated (the library's client).
        var (chat, completion) = await _gateway.PostJsonAsync("/v1/chat/completions", """{"model":"deep","messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"}],"max_tokens":99}""");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("Sunny in Paris.", completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var sent = _received[^1];
        Assert.Equal(99, sent["max_output_tokens"]!.GetValue<int>());
        Assert.Equal(["developer", "user"], sent["input"]!.AsArray().Select(i => i!["role"]!.GetValue<string>()));

        var (refused, error) = await _gateway.PostJsonAsync("/v1/responses", """{"model":"bridged","input":"x","tools":[{"type":"web_search"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("web_search", error.GetProperty("error").GetProperty("message").GetString());
    }

    private static List<(string Type, string Data)> StreamEvents()
    {
        var response = JsonNode.Parse(UpstreamResponse)!.AsObject();
        var output = response["output"]!.AsArray();
        var started = response.DeepClone().AsObject();
        started["status"] = "in_progress";
        started["output"] = new JsonArray();
        started.Remove("usage");
        string Event(int seq, string type, string rest) => $$"""{"type":"{{type}}","sequence_number":{{seq}}{{rest}}}""";
        string[] events =
        [
            Event(0, "response.created", $",\"response\":{started.ToJsonString()}"),
            Event(1, "response.in_progress", $",\"response\":{started.ToJsonString()}"),
            Event(2, "response.output_item.added", ""","output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}"""),
            Event(3, "response.reasoning_summary_text.delta", ",\"item_id\":\"rs_1\",\"output_index\":0,\"summary_index\":0,\"delta\":\"Looked it up.\",\"obfuscation\":\"abc\""),
            Event(4, "response.output_item.done", $",\"output_index\":0,\"item\":{output[0]!.ToJsonString()}"),
            Event(5, "response.web_search_call.completed", ",\"output_index\":1,\"item_id\":\"ws_1\""),
            Event(6, "response.output_item.done", $",\"output_index\":1,\"item\":{output[1]!.ToJsonString()}"),
            Event(7, "response.output_text.delta", ""","item_id":"msg_1","output_index":2,"content_index":0,"delta":"Sunny in Paris.","logprobs":[]"""),
            Event(8, "response.output_item.done", $",\"output_index\":2,\"item\":{output[2]!.ToJsonString()}"),
            Event(9, "response.completed", $",\"response\":{response.ToJsonString()}"),
        ];
        return events.Select(e => (JsonNode.Parse(e)!["type"]!.GetValue<string>(), e)).ToList();
    }
}
