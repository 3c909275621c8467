// The floor of the load bench: a minimal ASP.NET Core reverse proxy. It forwards each POST's body to the upstream with
// one pooled HttpClient and copies status, content type and body back, streaming as it arrives — what any .NET proxy
// must do at the least, so the gateway's figures can be read against it (benchmarks/load/run.sh).
// Usage: dotnet Floor.dll --port 4103 --upstream http://127.0.0.1:9100
var port = Arg("--port") ?? "4103";
var upstream = new Uri(Arg("--upstream") ?? "http://127.0.0.1:9100");

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.ClearProviders();
var app = builder.Build();
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 1024 })
{
    BaseAddress = upstream,
    Timeout = Timeout.InfiniteTimeSpan,
};

app.MapGet("/health", () => "ok");
app.MapPost("/{**path}", async (HttpContext context, string path) =>
{
    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(context.Request.Body) };
    request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
    context.Response.StatusCode = (int)response.StatusCode;
    context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
    await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
    var buffer = new byte[16 * 1024];
    int read;
    while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
    {
        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
});

app.Run();

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
