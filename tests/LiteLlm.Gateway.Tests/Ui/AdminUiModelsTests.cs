using System.Net;
using LiteLlm.Gateway.Tests.Auth;
using LiteLlm.Gateway.Tests.Fidelity;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The models page in real headless Chromium: stored models added, edited and deleted, config models read-only, the router's state.</summary>
[Collection("Gateway load")]
public sealed class AdminUiModelsTests : IDisposable
{
    private const string Master = AdminUiBrowserTests.Master;
    private const string UpstreamKey = "sk-ui-upstream-7d2e91c4";
    private const string WrongKey = "sk-ui-wrong-5b8a03f6";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uimodels-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task StoredModel_AddedInTheUi_Serves_IsEdited_ShowsItsRouterState_ThenDeleted()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = r => r.Headers["authorization"] == "Bearer " + UpstreamKey
            ? (200, "application/json", DbModelTests.Completion)
            : (401, "application/json", """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""");
        await using var gateway = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db, "  store_model_in_db: true"));
        var http = gateway.Http;
        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);

        // Config models are read-only: no edit or delete buttons.
        browser.Open("/ui/models");
        Assert.Equal("config (read-only)", browser.Text("tr[data-model='priced'] .source"));
        Assert.Empty(browser.All("tr[data-model='priced'] a.edit"));

        browser.Type("#create #model_name", "ui-chat");
        browser.Type("#create #model", "openai/gpt-4o-mini");
        browser.Type("#create #api_base", upstream.Address + "/v1");
        browser.Type("#create #api_key", UpstreamKey);
        browser.Type("#create #rpm", "30");
        browser.Type("#create #input_cost", "0.5");
        browser.Type("#create #output_cost", "1.5");
        browser.Submit("#add-model");
        Assert.Equal("Model added.", browser.Text("#flash"));
        var row = browser.Find("tr[data-model='ui-chat']");
        Assert.Equal("database", row.FindElement(OpenQA.Selenium.By.CssSelector(".source")).Text);
        Assert.Equal("$0.5", browser.Text("tr[data-model='ui-chat'] .input-price"));
        Assert.Equal("$1.5", browser.Text("tr[data-model='ui-chat'] .output-price"));
        Assert.StartsWith("30 /", browser.Text("tr[data-model='ui-chat'] .limits"), StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, browser.Driver.PageSource, StringComparison.Ordinal);

        // The API serves it at once, with the key typed in the form.
        using (var chat = await Chat(http, Master, "ui-chat"))
        {
            Assert.True(chat.StatusCode == HttpStatusCode.OK, await chat.Content.ReadAsStringAsync());
        }

        Assert.Equal("Bearer " + UpstreamKey, upstream.Last.Headers["authorization"]);
        browser.Open("/ui/models");
        Assert.Equal("ok", browser.Text("tr[data-model='ui-chat'] .cooldown"));
        browser.Screenshot("models-stored");

        // Edit: the form is filled (the API key never is), the changes reach the API.
        browser.Submit("tr[data-model='ui-chat'] a.edit");
        Assert.Equal("30", browser.Find("#rpm").GetAttribute("value"));
        Assert.Equal(string.Empty, browser.Find("#api_key").GetAttribute("value"));
        Assert.DoesNotContain(UpstreamKey, browser.Driver.PageSource, StringComparison.Ordinal);
        browser.Type("#rpm", "9");
        browser.Type("#input_cost", "2");
        browser.Screenshot("model-edit");
        browser.Submit("#save-model");
        Assert.Equal("Model updated.", browser.Text("#flash"));
        Assert.StartsWith("9 /", browser.Text("tr[data-model='ui-chat'] .limits"), StringComparison.Ordinal);
        Assert.Equal("$2", browser.Text("tr[data-model='ui-chat'] .input-price"));
        using (var info = await Send(http, HttpMethod.Get, "/model/info?litellm_model_id=" + browser.Find("tr[data-model='ui-chat']").GetAttribute("data-id"), Master, null))
        {
            var entry = (await Json(info)).GetProperty("data")[0];
            Assert.Equal(9, entry.GetProperty("litellm_params").GetProperty("rpm").GetInt32());
            Assert.Equal(0.000002m, entry.GetProperty("model_info").GetProperty("input_cost_per_token").GetDecimal());
        }

        // The stored key was kept (empty field); a bad value is the API's readable refusal on the edit page.
        using (var kept = await Chat(http, Master, "ui-chat"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        browser.Submit("tr[data-model='ui-chat'] a.edit");
        browser.Type("#rpm", "many");
        browser.Submit("#save-model");
        Assert.Contains("Refused:", browser.Text("#flash"), StringComparison.Ordinal);
        Assert.Contains("/ui/models/edit", browser.Driver.Url, StringComparison.Ordinal);

        // A new (wrong) key: the upstream refuses it and the router's state shows the failure.
        browser.Type("#rpm", "9");
        browser.Type("#api_key", WrongKey);
        browser.Submit("#save-model");
        using (var refused = await Chat(http, Master, "ui-chat"))
        {
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        }

        Assert.Equal("Bearer " + WrongKey, upstream.Last.Headers["authorization"]);
        browser.Open("/ui/models");
        Assert.Contains(browser.Text("tr[data-model='ui-chat'] .cooldown"), new[] { "failing", "cooling down" });
        Assert.Equal("ok", browser.Text("tr[data-model='priced'] .cooldown"));

        // Delete: gone from the page and from the API.
        browser.Submit("tr[data-model='ui-chat'] button[value='delete']");
        Assert.Equal("Model deleted.", browser.Text("#flash"));
        Assert.Empty(browser.All("tr[data-model='ui-chat']"));
        using var gone = await Chat(http, Master, "ui-chat");
        Assert.NotEqual(HttpStatusCode.OK, gone.StatusCode);
        Assert.Equal(2, browser.All("#models tbody tr").Count);
    }

    public void Dispose() => File.Delete(_db);
}
