namespace LiteLlm.Gateway.Hosting;

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
