namespace LiteLlm.Gateway.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void GatewayAssemblyLoads() => Assert.NotNull(typeof(LiteLlm.Gateway.Hosting.CallerIdentity).Assembly);
}
