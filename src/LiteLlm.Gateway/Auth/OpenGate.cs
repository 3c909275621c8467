using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Auth;

/// <summary>The gate used when no auth is registered: everyone is anonymous and admitted.</summary>
internal sealed class OpenGate : IRequestGate
{
    private static readonly IGateLease NoLease = new Lease();

    public ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult(GateResult.Ok(CallerIdentity.Anonymous));

    public ValueTask<GateResult<IGateLease>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
        => ValueTask.FromResult(GateResult.Ok(NoLease));

    private sealed class Lease : IGateLease
    {
        public ValueTask ReleaseAsync(SpendRecord? record) => ValueTask.CompletedTask;
    }
}
