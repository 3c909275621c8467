using Microsoft.AspNetCore.Http;

namespace LiteLlm.Gateway.Hosting;

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

/// <summary>The spend sink used when no storage is registered: records are dropped.</summary>
internal sealed class NullSpendSink : ISpendSink
{
    public void Record(SpendRecord record)
    {
    }
}

/// <summary>
/// One dependency that <c>/health/readiness</c> reports (the database, Redis). Register implementations with
/// <c>services.AddSingleton&lt;IReadinessCheck, ...&gt;()</c>; readiness is 503 while any reports false, throws or
/// takes longer than 5 s — except <c>db</c> and <c>redis</c>, which it reports as disconnected and stays 200 (InfoEndpoints).
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Gets the name shown in the readiness report (<c>db</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>Returns whether the dependency answers; should be quick and must not need secrets in its result.</summary>
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}
