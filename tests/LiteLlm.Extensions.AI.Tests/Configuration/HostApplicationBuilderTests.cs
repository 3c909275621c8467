using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LiteLlm.Tests.Configuration;

/// <summary>The Aspire-style <c>builder.AddLiteLlmChatClient("name")</c> on a real host: the group's client, its middleware, its health check.</summary>
public sealed class HostApplicationBuilderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddLiteLlmChatClient_GivesTheGroupsClient_WithMiddleware_TelemetryAndAHealthCheck()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LiteLlm:model_list:0:model_name"] = "chat",
            ["LiteLlm:model_list:0:litellm_params:model"] = "mock/chat",
            ["LiteLlm:model_list:0:litellm_params:mock_response"] = "Hello from the mock.",
            ["LiteLlm:model_list:1:model_name"] = "other",
            ["LiteLlm:model_list:1:litellm_params:model"] = "mock/other",
        });
        var seen = new List<string?>();
        builder.AddLiteLlmChatClient("chat")
            .Use((messages, options, next, ct) =>
            {
                seen.Add(options?.ModelId);
                return next(messages, options, ct);
            });
        builder.AddLiteLlmChatClient("other"); // a second group: LiteLlm itself is registered once

        using var host = builder.Build();
        await host.StartAsync(Ct);
        var client = host.Services.GetRequiredKeyedService<IChatClient>("chat");
        var response = await client.GetResponseAsync("Hi", cancellationToken: Ct);

        Assert.Equal("Hello from the mock.", response.Text);
        Assert.Equal(["chat"], seen); // the middleware added to the returned builder runs, with the group fixed
        Assert.NotNull(client.GetService<OpenTelemetryChatClient>()); // telemetry is in the pipeline
        Assert.Single(host.Services.GetServices<LiteLlm.Configuration.LiteLlmRuntime>());

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(["litellm-chat", "litellm-other"], report.Entries.Keys.Order(StringComparer.Ordinal));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task TheHealthCheck_IsUnhealthyForAGroupWithoutDeployments()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LiteLlm:model_list:0:model_name"] = "chat",
            ["LiteLlm:model_list:0:litellm_params:model"] = "mock/chat",
        });
        builder.AddLiteLlmChatClient("missing");
        using var host = builder.Build();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["litellm-missing"].Status);
    }
}
