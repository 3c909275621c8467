using System.Globalization;
using System.Net;
using System.Text;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The logs (filters, detail, CSV) and the playground (streamed without script) against a real gateway with mock models.</summary>
[Collection("Gateway load")]
public sealed class AdminUiLogsPlaygroundTests : IDisposable
{
    private const string Master = AdminUiBrowserTests.Master;
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uilogs-{Guid.NewGuid():N}.db");

    private string Yaml => AdminUiBrowserTests.Yaml(_db).Replace("general_settings:", """
          - model_name: broken
            litellm_params: {model: mock/broken, mock_response: "litellm.RateLimitError"}
          - model_name: slow
            litellm_params: {model: mock/slow, mock_response: "streamed words arrive late", mock_latency: 1500}
        general_settings:
        """, StringComparison.Ordinal);

    [Fact]
    public async Task Logs_FilterByKeyTeamModelStatusAndDate_ShowADetail_AndExportCsv()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml);
        var http = gateway.Http;
        using (var team = await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t1"}"""))
        {
            Assert.True(team.IsSuccessStatusCode);
        }

        var teamKey = await GenerateKeyAsync(http, Master, """{"team_id":"t1"}""");
        using var priced = await Chat(http, teamKey, "priced", ""","metadata":{"tags":["=1+2","a,b","say \"hi\""]}""");
        Assert.Equal(HttpStatusCode.OK, priced.StatusCode);
        var money = "$" + CostOf(priced).ToString("0.######", CultureInfo.InvariantCulture);
        using (var mini = await Chat(http, Master, "gpt-4o-mini"))
        using (var broken = await Chat(http, Master, "broken"))
        {
            Assert.Equal(HttpStatusCode.OK, mini.StatusCode);
            Assert.False(broken.IsSuccessStatusCode);
        }

        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);
        browser.OpenUntil("/ui/logs", () => browser.All("#logs tbody tr").Count == 3);
        var failed = browser.All("#logs tbody tr .status").Select(s => s.Text).Single(s => s != "success");
        int Rows(string query)
        {
            browser.Open("/ui/logs?" + query);
            return browser.All("#logs tbody tr").Count;
        }

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(1, Rows("team=t1"));
        Assert.Equal(1, Rows("key=" + Uri.EscapeDataString(teamKey)));
        Assert.Equal(1, Rows("model=gpt-4o-mini"));
        Assert.Equal(2, Rows("status=success"));
        Assert.Equal(1, Rows("status=" + failed));
        Assert.Equal(3, Rows($"from={today}&until={today}"));
        Assert.Equal(0, Rows($"until={yesterday}"));

        // The form sets the same filters; a row opens its detail.
        browser.Open("/ui/logs");
        browser.Type("#f-team", "t1");
        browser.Submit("#filter");
        Assert.Contains(money, browser.Text("#logs tbody tr"), StringComparison.Ordinal);
        browser.Screenshot("logs-filtered");
        browser.Submit("#logs tbody tr a.detail");
        string Field(string name) => browser.Text($"#detail dd[data-field='{name}']");
        Assert.Equal(money, Field("spend"));
        Assert.Equal("priced", Field("model_group"));
        Assert.Equal("t1", Field("team_id"));
        Assert.Equal("success", Field("status"));
        browser.Screenshot("log-detail");

        // CSV: the same filters, every row, RFC 4180 quoting, a would-be formula defused.
        var cookie = browser.Driver.Manage().Cookies.GetCookieNamed("litellm_ui_session")!.Value;
        using var csvClient = new HttpClient { BaseAddress = gateway.Address };
        csvClient.DefaultRequestHeaders.Add("Cookie", "litellm_ui_session=" + cookie);
        using var teamCsv = await csvClient.GetAsync("/ui/logs.csv?team=t1", TestContext.Current.CancellationToken);
        Assert.Equal("text/csv", teamCsv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", teamCsv.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var text = await teamCsv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("request_id", header[0]);
        var cells = ParseCsvLine(lines[1]);
        Assert.Equal(header.Length, cells.Count);
        Assert.Equal("'=1+2;a,b;say \"hi\"", cells[Array.IndexOf(header, "request_tags")]);
        Assert.Contains("\"'=1+2;a,b;say \"\"hi\"\"\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(CostOf(priced), decimal.Parse(cells[Array.IndexOf(header, "spend")], NumberStyles.Float, CultureInfo.InvariantCulture));
        Assert.Equal("t1", cells[Array.IndexOf(header, "team_id")]);
        var all = await csvClient.GetStringAsync("/ui/logs.csv", TestContext.Current.CancellationToken);
        Assert.Equal(4, all.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        // Without a session the CSV is not served.
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Address };
        using var refused = await anonymous.GetAsync("/ui/logs.csv", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.SeeOther, refused.StatusCode);
    }

    [Fact]
    public async Task Playground_StreamsTheAnswer_LogsItWithItsCost_AndRefusesAModelTheKeyMayNotUse()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml);
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"key_alias":"playground","models":["priced"]}""");
        using var browser = new Browser(gateway.Address);
        browser.SignIn(key);
        browser.Open("/ui/playground");
        Assert.Equal(["priced"], browser.All("#model option").Select(o => o.GetAttribute("value")).ToArray());
        browser.Type("#message", "Say four words.");
        browser.Submit("#send");
        Assert.Equal("four words of answer", browser.Text("#answer"));
        Assert.Contains("tokens in", browser.Text("#usage"), StringComparison.Ordinal);
        browser.Screenshot("playground");

        // The request is the key's own: in the logs, with its cost.
        var detail = browser.Find("#request").GetAttribute("href")!;
        browser.OpenUntil(new Uri(detail).PathAndQuery, () => browser.All("#detail").Count == 1);
        Assert.Equal("priced", browser.Text("#detail dd[data-field='model_group']"));
        var cost = browser.Text("#detail dd[data-field='spend']");
        Assert.StartsWith("$0.", cost, StringComparison.Ordinal);
        Assert.NotEqual("$0", cost);

        // A model the key may not use (sent by a tampered form): a readable refusal, no answer, nothing billed.
        browser.Open("/ui/playground");
        browser.Driver.ExecuteScript("document.querySelector('#model option').value = 'gpt-4o-mini';");
        browser.Type("#message", "hi");
        browser.Submit("#send");
        Assert.Equal("This key may not use the model 'gpt-4o-mini'.", browser.Text("#error"));
        Assert.Equal(string.Empty, browser.Text("#answer"));
        Assert.DoesNotContain("Exception", browser.Driver.PageSource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playground_SendsThePageBeforeTheAnswer_AsOneChunkedResponse()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml);
        using var client = AdminUiHttpTests.Client(gateway.Address, out _);
        using (var signIn = await AdminUiHttpTests.SignInAsync(client, Master))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        }

        var page = await client.GetStringAsync("/ui/playground", TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ui/playground")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", AdminUiHttpTests.TokenIn(page)), new("model", "slow"), new("message", "hello")]),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        await using var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var received = new StringBuilder();
        var buffer = new byte[4096];

        // The model waits 1.5 s before its first token: the page up to the answer box arrives before it.
        while (!received.ToString().Contains("id=\"answer\">", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(n > 0, "the response ended before the answer box: " + received);
            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.DoesNotContain("streamed words", received.ToString(), StringComparison.Ordinal);
        using var rest = new StreamReader(stream);
        received.Append(await rest.ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Contains("id=\"answer\">streamed words arrive late</div>", received.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("</html>", received.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_db);

    /// <summary>One RFC 4180 line (no embedded line breaks in these rows).</summary>
    private static List<string> ParseCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
