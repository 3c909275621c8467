using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Tests.Fidelity;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>
/// The gateway as a separate process across its surfaces: OpenAI chat, Anthropic messages, Responses, embeddings, real
/// providers at the wire (Anthropic and Gemini, replaying recorded streams), virtual keys, SQLite spend and the management
/// API. In-process tests cannot see what a Native AOT build breaks (trimmed JSON metadata, reflection, native libraries):
/// with LITELLM_GATEWAY_BINARY set (docs/decisions/0012-native-aot.md) these run against that binary, otherwise the dll.
/// </summary>
[Collection("Gateway load")]
public sealed class GatewayProcessSurfaceTests : IAsyncLifetime
{
    private const string Master = "sk-master-surface-0123456789";

    // Ollama's /api/chat answer (one NDJSON line, done): written here, the shared fixtures have no Ollama transcript.
    private const string OllamaAnswer = """{"model":"llama3.2","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"hi from llama"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":4}""" + "\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("litellm-surface-").FullName;
    private RecordingUpstream _upstream = null!;
    private SpendDatabase _database = null!;
    private GatewayProcess _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        var anthropic = Fixture("anthropic", "basic_response.txt");
        var gemini = Fixture("gemini", "streaming-success-basic-reply-short.txt");
        _upstream = await RecordingUpstream.StartAsync();
        _upstream.Answer = r => r.Path switch
        {
            "/v1/messages" => (200, "text/event-stream", anthropic),
            "/api/chat" => (200, "application/x-ndjson", OllamaAnswer),
            var p when p.Contains(":streamGenerateContent", StringComparison.Ordinal) => (200, "text/event-stream", gemini),
            _ => (404, "application/json", """{"error":{"message":"no such route"}}"""),
        };
        _database = await SpendDatabase.CreateOrSkipAsync("sqlite", _directory);
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat, mock_response: "ok from the mock"}
              - model_name: claude
                litellm_params: {model: anthropic/claude-opus-4-8, api_base: "{{_upstream.Address}}", api_key: sk-ant-upstream-surface}
              - model_name: gemini
                litellm_params: {model: gemini/gemini-2.0-flash, api_base: "{{_upstream.Address}}", api_key: AIza-upstream-surface}
              - model_name: llama
                litellm_params: {model: ollama_chat/llama3.2, api_base: "{{_upstream.Address}}"}
              - model_name: embed
                litellm_params: {model: mock/text-embedding-3-small}
            router_settings:
              num_retries: 0
            litellm_settings:
              cache: true
            general_settings:
              master_key: {{Master}}
              {{_database.GeneralSettingsLine}}
            """, TestContext.Current.CancellationToken);
        _gateway = await GatewayProcess.StartAsync(config);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    [Fact]
    public async Task EveryProtocol_Answers_ThroughAVirtualKey_AndLeavesSpendRows()
    {
        var key = await _gateway.GenerateKeyAsync(Master, """{"key_alias":"surface","max_budget":10}""");

        var chat = await JsonAsync(key, "/v1/chat/completions", """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal("ok from the mock", chat.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("chat.completion", chat.GetProperty("object").GetString());

        // OpenAI chat over Anthropic at the wire: the request JSON the provider wrote, the recorded stream turned into chunks.
        var claudeChat = await TextAsync(key, "/v1/chat/completions", """{"model":"claude","stream":true,"max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");
        var sent = JsonDocument.Parse(_upstream.Last.Body).RootElement;
        Assert.Equal("claude-opus-4-8", sent.GetProperty("model").GetString());
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.Equal(64, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal("hi", ContentText(sent.GetProperty("messages")[0].GetProperty("content")));
        Assert.Equal("sk-ant-upstream-surface", _upstream.Last.Headers["x-api-key"]);
        Assert.Contains("chat.completion.chunk", claudeChat, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"Hello\"", claudeChat, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]", claudeChat.TrimEnd(), StringComparison.Ordinal);

        // Anthropic messages to Anthropic: the provider's own events come back.
        var messages = await TextAsync(key, "/v1/messages", """{"model":"claude","stream":true,"max_tokens":64,"messages":[{"role":"user","content":"hi, in Anthropic's shape"}]}""");
        Assert.Contains("event: message_start", messages, StringComparison.Ordinal);
        Assert.Contains("\"text\":\"Hello\"", messages, StringComparison.Ordinal);

        // Gemini at the wire (the request is a JSON DOM the library builds by hand).
        var geminiChat = await TextAsync(key, "/v1/chat/completions", """{"model":"gemini","stream":true,"temperature":0.5,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"capital of Wyoming?"}]}""");
        var geminiSent = JsonDocument.Parse(_upstream.Last.Body).RootElement;
        Assert.Equal("be brief", geminiSent.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("capital of Wyoming?", geminiSent.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(0.5, geminiSent.GetProperty("generationConfig").GetProperty("temperature").GetDouble());
        Assert.Contains("Cheyenne", geminiChat, StringComparison.Ordinal);

        // Ollama through OllamaSharp (its JSON is reflection-based unless handed a source-generated context).
        var llama = await JsonAsync(key, "/v1/chat/completions", """{"model":"llama","messages":[{"role":"user","content":"hello llama"}]}""");
        var ollamaSent = JsonDocument.Parse(_upstream.Last.Body).RootElement;
        Assert.Equal("llama3.2", ollamaSent.GetProperty("model").GetString());
        Assert.Equal("hello llama", ollamaSent.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("hi from llama", llama.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var responses = await JsonAsync(key, "/v1/responses", """{"model":"chat","input":"hi"}""");
        Assert.Equal("completed", responses.GetProperty("status").GetString());
        Assert.Equal("ok from the mock", responses.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());

        var embeddings = await JsonAsync(key, "/v1/embeddings", """{"model":"embed","input":"hi"}""");
        Assert.True(embeddings.GetProperty("data")[0].GetProperty("embedding").GetArrayLength() > 0);

        // Bad input: a clear 400 in OpenAI's shape, never a 500.
        using (var bad = await SendAsync(key, "/v1/chat/completions", """{"model":"chat","messages":"not a list"}"""))
        {
            var text = await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"{(int)bad.StatusCode} {text}");
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("message").GetString()));
        }

        // Seven answered calls, seven spend rows in SQLite (the writer flushes within a second).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        List<SpendRow> rows;
        while ((rows = await _database.ReadSpendAsync()).Count < 7 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Equal(7, rows.Count);

        // The response cache (HybridCache, in memory): the same question twice, the second answered from the cache.
        const string Cached = """{"model":"chat","messages":[{"role":"user","content":"cache me"}]}""";
        using (var first = await SendAsync(key, "/v1/chat/completions", Cached))
        {
            Assert.Equal("false", first.Headers.GetValues("x-litellm-cache-hit").Single());
        }

        using (var second = await SendAsync(key, "/v1/chat/completions", Cached))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("true", second.Headers.GetValues("x-litellm-cache-hit").Single());
        }
        var info = await JsonAsync(key, "/key/info", null);
        Assert.Equal("surface", info.GetProperty("info").GetProperty("key_alias").GetString());

        var metrics = await _gateway.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("litellm_proxy_total_requests_metric", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagementApi_Answers_InLiteLlmShapes()
    {
        var team = await JsonAsync(Master, "/team/new", """{"team_alias":"surface-team","max_budget":5}""");
        var teamId = team.GetProperty("team_id").GetString()!;
        var user = await JsonAsync(Master, "/user/new", """{"user_id":"surface-user","user_email":"u@example.com"}""");
        Assert.Equal("surface-user", user.GetProperty("user_id").GetString());
        await JsonAsync(Master, "/team/member_add", $$$"""{"team_id":"{{{teamId}}}","member":{"role":"user","user_id":"surface-user"}}""");
        var key = await JsonAsync(Master, "/key/generate", $$$"""{"user_id":"surface-user","team_id":"{{{teamId}}}","models":["chat"],"metadata":{"tags":["a"]}}""");
        Assert.StartsWith("sk-", key.GetProperty("key").GetString(), StringComparison.Ordinal);

        var teams = await JsonAsync(Master, "/team/list", null);
        Assert.Contains(teams.EnumerateArray(), t => t.GetProperty("team_id").GetString() == teamId);
        var userInfo = await JsonAsync(Master, "/user/info?user_id=surface-user", null);
        Assert.Equal("surface-user", userInfo.GetProperty("user_id").GetString());
        Assert.Contains(userInfo.GetProperty("teams").EnumerateArray(), t => t.GetProperty("team_id").GetString() == teamId);
        var keys = await JsonAsync(Master, "/key/list", null);
        Assert.True(keys.GetProperty("keys").GetArrayLength() >= 1);

        using (var chat = await SendAsync(key.GetProperty("key").GetString()!, "/v1/chat/completions", """{"model":"chat","messages":[{"role":"user","content":"hi"}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        JsonElement logs;
        while ((logs = (await JsonAsync(Master, "/spend/logs", null)).GetProperty("data")).GetArrayLength() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Equal("chat", logs[0].GetProperty("model_group").GetString());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var report = await JsonAsync(Master, $"/global/spend/report?start_date={today}&end_date={tomorrow}&group_by=team", null);
        Assert.Equal(JsonValueKind.Array, report.ValueKind);
        var tags = await JsonAsync(Master, "/spend/tags", null);
        Assert.Equal(JsonValueKind.Array, tags.ValueKind);

        // The admin UI renders (server-side HTML).
        var login = await _gateway.Http.GetStringAsync("/ui/login", TestContext.Current.CancellationToken);
        Assert.Contains("Master key or virtual key", login, StringComparison.Ordinal);
    }

    private static string ContentText(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(b => b.GetProperty("text").GetString()));

    private async Task<HttpResponseMessage> SendAsync(string key, string path, string? json)
    {
        using var request = new HttpRequestMessage(json is null ? HttpMethod.Get : HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await _gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<string> TextAsync(string key, string path, string? json)
    {
        using var response = await SendAsync(key, path, json);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}\n{_gateway.Output}");
        return text;
    }

    private async Task<JsonElement> JsonAsync(string key, string path, string? json)
        => JsonDocument.Parse(await TextAsync(key, path, json)).RootElement.Clone();

    private static string Fixture(string provider, string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", provider, name);
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException($"shared/fixtures/{provider}/{name} is missing beside the checkout.");
    }
}
