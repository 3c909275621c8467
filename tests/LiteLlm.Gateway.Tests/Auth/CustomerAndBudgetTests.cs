using System.Net;
using System.Text.Json;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// LiteLLM's customers (end users) and shared budgets through the real gateway, on SQLite and on a real PostgreSQL: the
/// request's <c>user</c> (Anthropic's <c>metadata.user_id</c>) names the customer, is stored on the spend row, a blocked
/// customer is refused with LiteLLM's error on every protocol, and a customer's budget (its own, or a shared one by
/// <c>budget_id</c>, as keys have too) is enforced with LiteLLM's message; the daily report groups by customer.
/// </summary>
[Collection("Gateway load")]
public sealed class CustomerAndBudgetTests : IDisposable
{
    private const string Master = "sk-master-cust-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-cust-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string storage) => $$"""
        model_list:
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello"}
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
        general_settings:
          master_key: {{Master}}
          {{storage}}
        """;

    [Fact]
    public Task Sqlite_CustomersAndBudgets() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_CustomersAndBudgets()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(storage));
        var http = gateway.Http;

        // /budget/new: LiteLLM_BudgetTable; info, list, update.
        var budget = await Ok(http, HttpMethod.Post, "/budget/new", Master, """{"budget_id":"tier-free","max_budget":0.012,"budget_duration":"30d","soft_budget":0.01}""");
        foreach (var field in new[] { "budget_id", "max_budget", "soft_budget", "max_parallel_requests", "tpm_limit", "rpm_limit", "model_max_budget", "budget_duration", "budget_reset_at", "created_at", "updated_at" })
        {
            Assert.True(budget.TryGetProperty(field, out _), "missing " + field + " in " + budget);
        }

        Assert.Equal(0.012m, budget.GetProperty("max_budget").GetDecimal());
        Assert.Equal("30d", (await Ok(http, HttpMethod.Post, "/budget/info", Master, """{"budgets":["tier-free"]}"""))[0].GetProperty("budget_duration").GetString());
        Assert.Equal(60, (await Ok(http, HttpMethod.Post, "/budget/update", Master, """{"budget_id":"tier-free","rpm_limit":60}""")).GetProperty("rpm_limit").GetInt64());
        Assert.Single((await Ok(http, HttpMethod.Get, "/budget/list", Master, null)).EnumerateArray());

        // /customer/new: LiteLLM_EndUserTable (and the /end_user/ spelling).
        var customer = await Ok(http, HttpMethod.Post, "/customer/new", Master, """{"user_id":"cust-a","alias":"Ada Corp","max_budget":0.012,"allowed_model_region":"eu","default_model":"gpt-4o-mini"}""");
        foreach (var field in new[] { "user_id", "alias", "blocked", "spend", "allowed_model_region", "default_model", "litellm_budget_table", "budget_id" })
        {
            Assert.True(customer.TryGetProperty(field, out _), "missing " + field + " in " + customer);
        }

        Assert.Equal(0.012m, customer.GetProperty("litellm_budget_table").GetProperty("max_budget").GetDecimal());
        await Ok(http, HttpMethod.Post, "/end_user/new", Master, """{"user_id":"cust-c","budget_id":"tier-free"}""");
        Assert.Equal("tier-free", (await Ok(http, HttpMethod.Get, "/customer/info?end_user_id=cust-c", Master, null)).GetProperty("litellm_budget_table").GetProperty("budget_id").GetString());
        Assert.Equal("Ada", (await Ok(http, HttpMethod.Post, "/customer/update", Master, """{"user_id":"cust-a","alias":"Ada"}""")).GetProperty("alias").GetString());
        Assert.Equal(2, (await Ok(http, HttpMethod.Get, "/end_user/list", Master, null)).GetArrayLength());
        await Refused(http, HttpMethod.Post, "/customer/new", """{"user_id":"cust-a"}""", HttpStatusCode.BadRequest, "user_id", Master);
        await Refused(http, HttpMethod.Post, "/customer/new", """{"user_id":"cust-x","budget_id":"no-such-budget"}""", HttpStatusCode.BadRequest, "budget_id", Master);
        await Refused(http, HttpMethod.Get, "/customer/info?end_user_id=nobody", null, HttpStatusCode.NotFound, "end_user_id", Master);

        // The customer's own budget: the request's 'user' names it; 0.011 a call, admitted while below 0.012, then refused.
        var key = await GenerateKeyAsync(http, Master, "{}");
        var forAda = ",\"user\":\"cust-a\"";
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", forAda)).StatusCode);
        await WaitForCustomerSpendAsync(http, "cust-a", 0.011m);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", forAda)).StatusCode);
        await WaitForCustomerSpendAsync(http, "cust-a", 0.022m);
        using (var over = await Chat(http, key, "priced", forAda))
        {
            Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
            var error = (await Json(over)).GetProperty("error");
            Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
            Assert.Equal("ExceededBudget: End User=cust-a over budget. Spend=0.022, Budget=0.012", error.GetProperty("message").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", ",\"user\":\"cust-new\"")).StatusCode); // an unknown customer has no budget
        var logs = await Ok(http, HttpMethod.Get, "/spend/logs?api_key=" + key, Master, null);
        Assert.Contains(logs.GetProperty("data").EnumerateArray(), r => r.GetProperty("end_user").GetString() == "cust-a");

        // A shared budget named by budget_id: the customer's and a key's, each spending against it on its own.
        var forC = ",\"user\":\"cust-c\"";
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", forC)).StatusCode);
        await WaitForCustomerSpendAsync(http, "cust-c", 0.011m);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", forC)).StatusCode);
        await WaitForCustomerSpendAsync(http, "cust-c", 0.022m);
        using (var over = await Chat(http, key, "priced", forC))
        {
            Assert.StartsWith("ExceededBudget: End User=cust-c over budget.", (await Json(over)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var tiered = await Ok(http, HttpMethod.Post, "/key/generate", Master, """{"budget_id":"tier-free"}""");
        Assert.Equal("tier-free", tiered.GetProperty("budget_id").GetString());
        var tieredKey = tiered.GetProperty("key").GetString()!;
        await Refused(http, HttpMethod.Post, "/key/generate", """{"budget_id":"no-such-budget"}""", HttpStatusCode.BadRequest, "budget_id", Master);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, tieredKey, "priced")).StatusCode);
        await WaitForKeySpendAsync(http, tieredKey, 0.011m);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, tieredKey, "priced")).StatusCode);
        await WaitForKeySpendAsync(http, tieredKey, 0.022m);
        using (var over = await Chat(http, tieredKey, "priced"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
            Assert.StartsWith("Budget has been exceeded! Key=", (await Json(over)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Blocked: refused on chat (the master key too), Anthropic messages (metadata.user_id) and Responses; unblocked, served.
        var blocked = await Ok(http, HttpMethod.Post, "/customer/block", Master, """{"user_ids":["cust-b"]}""");
        Assert.True(blocked.GetProperty("blocked_users")[0].GetProperty("blocked").GetBoolean());
        const string Refusal = "User blocked from making LLM API Calls. User=cust-b";
        using (var chat = await Chat(http, Master, "gpt-4o-mini", ",\"user\":\"cust-b\""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, chat.StatusCode);
            Assert.Equal(Refusal, (await Json(chat)).GetProperty("error").GetProperty("message").GetString());
        }

        using (var messages = await Send(http, HttpMethod.Post, "/v1/messages", key, """{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"cust-b"}}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, messages.StatusCode);
            Assert.Equal(Refusal, (await Json(messages)).GetProperty("error").GetProperty("message").GetString());
        }

        using (var responses = await Send(http, HttpMethod.Post, "/v1/responses", key, """{"model":"gpt-4o-mini","input":"hi","user":"cust-b"}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, responses.StatusCode);
            Assert.Contains(Refusal, await responses.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await Ok(http, HttpMethod.Post, "/end_user/unblock", Master, """{"user_ids":["cust-b"]}""");
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "gpt-4o-mini", ",\"user\":\"cust-b\"")).StatusCode);

        // /global/spend/report grouped by customer.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var report = await Ok(http, HttpMethod.Get, $"/global/spend/report?start_date={today}&end_date={today}&group_by=customer", Master, null);
        var ada = report[0].GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customer").GetString() == "cust-a");
        Assert.Equal(0.022m, Math.Round(ada.GetProperty("total_spend").GetDecimal(), 6));

        // Deletes: every id must exist.
        await Refused(http, HttpMethod.Post, "/customer/delete", """{"user_ids":["cust-a","ghost"]}""", HttpStatusCode.NotFound, "user_ids", Master);
        Assert.Equal(1, (await Ok(http, HttpMethod.Post, "/customer/delete", Master, """{"user_ids":["cust-a"]}""")).GetProperty("deleted_customers").GetInt32());
        Assert.Equal("tier-free", (await Ok(http, HttpMethod.Post, "/budget/delete", Master, """{"id":"tier-free"}""")).GetProperty("budget_id").GetString());
        await Refused(http, HttpMethod.Post, "/budget/delete", """{"id":"tier-free"}""", HttpStatusCode.NotFound, "budget_id", Master);
    }

    [Theory]
    [InlineData("/budget/new", """{"max_budget":"lots"}""", "max_budget")]
    [InlineData("/budget/new", """{"rpm_limit":1.5}""", "rpm_limit")]
    [InlineData("/budget/new", """{"budget_duration":"fortnight"}""", "budget_duration")]
    [InlineData("/budget/new", """{"max_budjet":1}""", "max_budjet")]
    [InlineData("/budget/update", """{"budget_id":3}""", "budget_id")]
    [InlineData("/budget/info", """{"budgets":"b1"}""", "budgets")]
    [InlineData("/budget/delete", """{"id":["b1"]}""", "id")]
    [InlineData("/customer/new", """{"user_id":"c","max_budget":-2}""", "max_budget")]
    [InlineData("/customer/new", """{"user_id":"c","blocked":"yes"}""", "blocked")]
    [InlineData("/customer/new", """{"user_id":"c","allowed_model_region":"mars"}""", "allowed_model_region")]
    [InlineData("/customer/new", """{"user_id":"c","default_model":"no-such-model"}""", "default_model")]
    [InlineData("/customer/new", """{"user_id":"c","max_budget":1,"budget_id":"b1"}""", "budget_id")]
    [InlineData("/customer/new", """{"user_id":"c","nickname":"x"}""", "nickname")]
    [InlineData("/end_user/new", """{"alias":"no id"}""", "user_id")]
    [InlineData("/customer/block", """{"user_ids":"c"}""", "user_ids")]
    [InlineData("/customer/delete", """{"user_ids":[1]}""", "user_ids")]
    public async Task BadInput_IsA400NamingTheField(string path, string body, string field)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        await Ok(gateway.Http, HttpMethod.Post, "/budget/new", Master, """{"budget_id":"b1"}""");
        var message = await Refused(gateway.Http, HttpMethod.Post, path, body, HttpStatusCode.BadRequest, field, Master);
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    private static Task WaitForCustomerSpendAsync(HttpClient http, string id, decimal spend)
        => WaitForAsync(async () => (await Ok(http, HttpMethod.Get, "/customer/info?end_user_id=" + id, Master, null)).GetProperty("spend").GetDecimal() >= spend - 0.0000001m);

    private static Task WaitForKeySpendAsync(HttpClient http, string key, decimal spend)
        => WaitForAsync(async () => (await Ok(http, HttpMethod.Get, "/key/info?key=" + key, Master, null)).GetProperty("info").GetProperty("spend").GetDecimal() >= spend - 0.0000001m);
}
