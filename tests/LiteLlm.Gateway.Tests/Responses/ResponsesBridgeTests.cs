using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Tests.Responses;

/// <summary>POST /v1/responses bridged to chat providers (mock deployments and a probe): objects, events, tools, chaining.</summary>
public sealed class ResponsesBridgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_IsAResponseObjectWithTheModelsText_OnBothPaths()
    {
        await using var gateway = await GatewayHost.StartAsync();
        foreach (var path in new[] { "/v1/responses", "/responses" })
        {
            var (response, body) = await gateway.PostJsonAsync(path, """{"model":"gpt-4o-mini","input":"Say hi","instructions":"Be brief.","metadata":{"k":"v"}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("resp_", body.GetProperty("id").GetString());
            Assert.Equal("response", body.GetProperty("object").GetString());
            Assert.Equal("completed", body.GetProperty("status").GetString());
            Assert.Equal("Be brief.", body.GetProperty("instructions").GetString());
            Assert.Equal("v", body.GetProperty("metadata").GetProperty("k").GetString());
            var item = Assert.Single(body.GetProperty("output").EnumerateArray());
            Assert.Equal("message", item.GetProperty("type").GetString());
            Assert.Equal("assistant", item.GetProperty("role").GetString());
            Assert.Equal("Hello there, general Kenobi", item.GetProperty("content")[0].GetProperty("text").GetString());
            Assert.True(body.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
            Assert.True(body.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
            Assert.Equal("gpt-4o-mini", response.Headers.GetValues("x-litellm-model-group").Single());
        }
    }

    [Fact]
    public async Task Stream_IsTheEventSequenceWithConsecutiveNumbersAndOneItemId()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var response = await gateway.PostAsync("/v1/responses", """{"model":"gpt-4o-mini","input":"Say hi","stream":true}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = Events(await response.Content.ReadAsStringAsync(Ct));

        var types = events.Select(e => e.Type).ToList();
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"], types.Take(4));
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"], types.TakeLast(4));
        Assert.All(types.Skip(4).SkipLast(4), t => Assert.Equal("response.output_text.delta", t));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        Assert.All(events, e => Assert.Equal(e.Type, e.Data.GetProperty("type").GetString()));

        var itemId = events[2].Data.GetProperty("item").GetProperty("id").GetString();
        Assert.All(events.Where(e => e.Data.TryGetProperty("item_id", out _)), e => Assert.Equal(itemId, e.Data.GetProperty("item_id").GetString()));
        var text = string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal("Hello there, general Kenobi", text);

        var created = events[0].Data.GetProperty("response");
        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal(created.GetProperty("id").GetString(), completed.GetProperty("id").GetString());
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(text, completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(completed.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task FunctionTools_ComeBackAsFunctionCallItems_AndTheirOutputsReachTheModel()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero };
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)));
        const string Tools = """[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}},{"type":"function","name":"get_time","parameters":{"type":"object","properties":{}}}]""";

        var (_, calls) = await gateway.PostJsonAsync("/v1/responses", $$"""{"model":"weather","input":"Weather in Paris?","tools":{{Tools}},"tool_choice":"required"}""");
        var items = calls.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["function_call", "function_call"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("call_weather_1", items[0].GetProperty("call_id").GetString());
        Assert.Equal("get_weather", items[0].GetProperty("name").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(items[0].GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal("required", calls.GetProperty("tool_choice").GetString());
        Assert.Equal(2, calls.GetProperty("tools").GetArrayLength());

        // The round trip: the calls and their outputs as input items reach a provider as an assistant turn and a tool turn.
        var input = $$"""[{"role":"user","content":"Weather in Paris?"},{{items[0]}},{"type":"function_call_output","call_id":"call_weather_1","output":"18C and sunny"}]""";
        var (response, answer) = await gateway.PostJsonAsync("/v1/responses", $$"""{"model":"probe","input":{{input}},"tools":{{Tools}},"parallel_tool_calls":false,"max_output_tokens":50,"temperature":0.5}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("probe answer", answer.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool], probe.LastMessages.Select(m => m.Role));
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(probe.LastMessages[1].Contents));
        Assert.Equal(("call_weather_1", "get_weather"), (call.CallId, call.Name));
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(probe.LastMessages[2].Contents));
        Assert.Equal("18C and sunny", result.Result);
        Assert.Equal(["get_weather", "get_time"], probe.LastOptions!.Tools!.Select(t => t.Name));
        Assert.False(probe.LastOptions.AllowMultipleToolCalls);
        Assert.Equal(50, probe.LastOptions.MaxOutputTokens);
        Assert.Equal(0.5f, probe.LastOptions.Temperature);
    }

    [Fact]
    public async Task StreamedFunctionCalls_HaveArgumentDeltasAndDoneEvents()
    {
        await using var gateway = await GatewayHost.StartAsync();
        using var response = await gateway.PostAsync("/v1/responses", """{"model":"weather","input":"x","stream":true,"tools":[{"type":"function","name":"get_weather","parameters":{}}]}""");
        var events = Events(await response.Content.ReadAsStringAsync(Ct));
        var done = events.Where(e => e.Type == "response.function_call_arguments.done").ToList();
        Assert.Equal(["get_weather", "get_time"], done.Select(e => e.Data.GetProperty("name").GetString()));
        Assert.Equal("""{"city":"Paris","unit":"c"}""", done[0].Data.GetProperty("arguments").GetString());
        Assert.Equal(2, events.Count(e => e.Type == "response.function_call_arguments.delta"));
        var added = events.Where(e => e.Type == "response.output_item.added").Select(e => e.Data.GetProperty("output_index").GetInt32());
        Assert.Equal([0, 1], added);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
    }

    [Fact]
    public async Task TextFormatAndReasoning_ReachTheProviderAsOptions()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero };
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)));
        var (response, _) = await gateway.PostJsonAsync("/v1/responses", """
            {"model":"probe","input":[{"role":"developer","content":"dev"},{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"},{"type":"input_image","image_url":"https://example.com/a.png"}]}],
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}}}}},
             "reasoning":{"effort":"high"},"top_p":0.9,"instructions":"sys"}
            """);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var format = Assert.IsType<ChatResponseFormatJson>(probe.LastOptions!.ResponseFormat);
        Assert.Equal("answer", format.SchemaName);
        Assert.Equal(ReasoningEffort.High, probe.LastOptions.Reasoning?.Effort);
        Assert.Equal(0.9f, probe.LastOptions.TopP);
        Assert.Equal([ChatRole.System, ChatRole.System, ChatRole.User], probe.LastMessages.Select(m => m.Role));
        Assert.Equal("sys", probe.LastMessages[0].Text);
        Assert.IsType<UriContent>(probe.LastMessages[2].Contents[1]);
    }

    [Fact]
    public async Task PreviousResponseId_ReplaysTheChainToAnyProvider_AndInstructionsAreNotCarried()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero };
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)));
        var (_, first) = await gateway.PostJsonAsync("/v1/responses", """{"model":"gpt-4o-mini","input":"one","instructions":"first rules"}""");
        var (_, second) = await gateway.PostJsonAsync("/v1/responses", $$"""{"model":"gpt-4o-mini","input":"two","previous_response_id":"{{first.GetProperty("id")}}"}""");
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("previous_response_id").GetString());
        var (_, third) = await gateway.PostJsonAsync("/v1/responses", $$"""{"model":"probe","input":"three","previous_response_id":"{{second.GetProperty("id")}}","stream":false}""");
        Assert.Equal("completed", third.GetProperty("status").GetString());

        Assert.Equal(["one", "Hello there, general Kenobi", "two", "Hello there, general Kenobi", "three"], probe.LastMessages.Select(m => m.Text));
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant, ChatRole.User], probe.LastMessages.Select(m => m.Role));

        var (missing, error) = await gateway.PostJsonAsync("/v1/responses", """{"model":"probe","input":"x","previous_response_id":"resp_nope"}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("previous_response_id", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task StoreFalse_IsNotRetrievable_AndStoredOnesAreRetrievedListedAndDeleted()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var (_, unstored) = await gateway.PostJsonAsync("/v1/responses", """{"model":"gpt-4o-mini","input":"x","store":false}""");
        Assert.False(unstored.GetProperty("store").GetBoolean());
        using var gone = await gateway.Http.GetAsync($"/v1/responses/{unstored.GetProperty("id")}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var (_, stored) = await gateway.PostJsonAsync("/v1/responses", """{"model":"gpt-4o-mini","input":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}""");
        var id = stored.GetProperty("id").GetString();
        var retrieved = JsonDocument.Parse(await gateway.Http.GetStringAsync($"/v1/responses/{id}", Ct)).RootElement;
        Assert.Equal(stored.ToString(), retrieved.ToString());

        var items = JsonDocument.Parse(await gateway.Http.GetStringAsync($"/v1/responses/{id}/input_items?order=asc", Ct)).RootElement;
        Assert.Equal("list", items.GetProperty("object").GetString());
        Assert.Equal(["a", "b"], items.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.All(items.GetProperty("data").EnumerateArray(), i => Assert.StartsWith("msg_", i.GetProperty("id").GetString()));
        var newestFirst = JsonDocument.Parse(await gateway.Http.GetStringAsync($"/v1/responses/{id}/input_items?limit=1", Ct)).RootElement;
        Assert.Equal("b", newestFirst.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(newestFirst.GetProperty("has_more").GetBoolean());

        using var cancel = await gateway.PostAsync($"/v1/responses/{id}/cancel", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);

        using var delete = await gateway.Http.DeleteAsync($"/v1/responses/{id}", Ct);
        var deleted = JsonDocument.Parse(await delete.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        Assert.Equal("response.deleted", deleted.GetProperty("object").GetString());
        using var after = await gateway.Http.GetAsync($"/v1/responses/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","tools":[{"type":"web_search"}]}""", "tools[0].type", "web_search")]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","tools":[{"type":"code_interpreter","container":{"type":"auto"}}]}""", "tools[0].type", "code_interpreter")]
    [InlineData("""{"model":"gpt-4o-mini"}""", "input", "input")]
    [InlineData("""{"input":"x"}""", "model", "model")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"type":"web_search_call","id":"ws_1"}]}""", "input[0].type", "web_search_call")]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","background":true}""", "background", "background")]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","temperature":3}""", "temperature", "temperature")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"type":"function_call_output","output":"x"}]}""", "input[0].call_id", "call_id")]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","api_base":"http://evil"}""", "api_base", "api_base")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_image","image_url":"ftp://x"}]}]}""", "input[0].content[0].image_url", "http")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"[1]"}]}""", "input[0].arguments", "JSON object")]
    [InlineData("""{"model":"gpt-4o-mini","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}}""", "tool_choice", "'g'")]
    public async Task BadRequests_Are400sNamingTheField(string json, string param, string mentioned)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var (response, body) = await gateway.PostJsonAsync("/v1/responses", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(mentioned, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UnknownModel_Is404_AndMalformedJsonIs400()
    {
        await using var gateway = await GatewayHost.StartAsync();
        foreach (var hostile in new[] { "[]", "\"x\"", """{"model":"gpt-4o-mini","input":"x","previous_response_id":"\ud800"}""", """{"model":"\ud800","input":"x"}""", """{"model":"gpt-4o-mini","input":[1]}""", """{"model":"gpt-4o-mini","input":"x","tools":{}}""" })
        {
            var (bad, error) = await gateway.PostJsonAsync("/v1/responses", hostile);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        }

        var (unknown, _) = await gateway.PostJsonAsync("/v1/responses", """{"model":"nope","input":"x"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var malformed = await gateway.PostAsync("/v1/responses", """{"model":""");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task StreamFailingMidway_EndsWithResponseFailed()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero, FailAfterFirstUpdate = true };
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)));
        using var response = await gateway.PostAsync("/v1/responses", """{"model":"probe","input":"x","stream":true}""");
        var events = Events(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("response.failed", events[^1].Type);
        var failed = events[^1].Data.GetProperty("response");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("upstream went away", failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
    }

    [Fact]
    public async Task InputTokens_CountsThePromptWithoutCallingTheModel()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero };
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)));
        var (_, small) = await gateway.PostJsonAsync("/v1/responses/input_tokens", """{"model":"probe","input":"hello"}""");
        var (_, large) = await gateway.PostJsonAsync("/v1/responses/input_tokens", """{"model":"probe","input":"hello there, this is a considerably longer prompt than the first one"}""");
        Assert.Equal("response.input_tokens", small.GetProperty("object").GetString());
        Assert.True(small.GetProperty("input_tokens").GetInt32() > 0);
        Assert.True(large.GetProperty("input_tokens").GetInt32() > small.GetProperty("input_tokens").GetInt32() + 5);
        Assert.False(probe.Called.Task.IsCompleted);
    }

    internal static List<(string Type, JsonElement Data)> Events(string body)
        => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n'))
            .Where(lines => lines.Any(l => l.StartsWith("event: ", StringComparison.Ordinal)))
            .Select(lines => (
                lines.First(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..],
                JsonDocument.Parse(lines.First(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]).RootElement.Clone()))
            .ToList();
}
