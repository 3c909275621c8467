using LiteLlm.Gateway.Hosting;
using LiteLlm.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Gateway.Tests;

/// <summary>A real gateway on Kestrel (127.0.0.1, a free port) over mock deployments and test clients.</summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    private GatewayFixture(WebApplication app, string baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = new Uri(baseAddress) };
    }

    public WebApplication App { get; }

    public string BaseAddress { get; }

    public HttpClient Http { get; }

    public static async Task<GatewayFixture> StartAsync(string configYaml, IReadOnlyList<Deployment>? extra = null, Action<IServiceCollection>? services = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"gateway-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, configYaml);
        var app = GatewayApp.Build(
            new GatewayOptions { ConfigFile = file, Port = 0, ExtraDeployments = extra ?? [], KeepAliveInterval = TimeSpan.FromMilliseconds(200) },
            (s, _) => services?.Invoke(s));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayFixture(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
