namespace LiteLlm.Gateway.Hosting;

/// <summary>The gate when no auth is configured: everyone is an anonymous caller with access to every model.</summary>
internal sealed class OpenGate : IRequestGate
{
    private static readonly IAsyncDisposable NoLease = new Nothing();

    public ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult(GateResult.Ok(CallerIdentity.Anonymous));

    public ValueTask<GateResult<IAsyncDisposable>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
        => ValueTask.FromResult(GateResult.Ok(NoLease));

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The spend sink when no store is configured: records are dropped.</summary>
internal sealed class NullSpendSink : ISpendSink
{
    public void Record(SpendRecord record)
    {
    }
}

/// <summary>A dependency the readiness probe checks (database, Redis); registered by whoever owns it.</summary>
public interface IReadinessCheck
{
    /// <summary>Gets the name shown in /health/readiness.</summary>
    string Name { get; }

    /// <summary>Returns whether the dependency answers.</summary>
    Task<bool> CheckAsync(CancellationToken cancellationToken);
}
