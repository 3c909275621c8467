using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LiteLlm.MockUpstream;

/// <summary>Starts the mock upstream in this process (tests) or as a program (load bench).</summary>
public static class MockUpstreamServer
{
    /// <summary>Starts listening on 127.0.0.1 (port 0 picks a free one).</summary>
    public static async Task<WebApplication> StartAsync(MockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var upstream = new MockResponder(options);
        app.MapPost("/v1/chat/completions", upstream.ChatAsync);
        app.MapPost("/chat/completions", upstream.ChatAsync);
        app.MapPost("/v1/embeddings", upstream.EmbeddingsAsync);
        app.MapPost("/embeddings", upstream.EmbeddingsAsync);
        app.MapGet("/v1/models", () => Results.Text("""{"object":"list","data":[{"id":"mock-model","object":"model","created":0,"owned_by":"mock"}]}""", "application/json"));
        app.MapGet("/faults", () => string.Join('\n', Faults.All));
        app.MapGet("/health", () => "ok");
        await app.StartAsync();
        return app;
    }

    /// <summary>Gets the base address the server listens on (e.g. http://127.0.0.1:41234).</summary>
    public static string AddressOf(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
