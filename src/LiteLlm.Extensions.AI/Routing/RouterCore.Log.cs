using LiteLlm.Errors;
using Microsoft.Extensions.Logging;

namespace LiteLlm.Routing;

internal sealed partial class RouterCore
{
    [LoggerMessage(1, LogLevel.Debug, "Deployment {DeploymentId} of '{ModelGroup}' failed: {Kind}.")]
    private partial void LogAttemptFailed(string deploymentId, string modelGroup, LiteLlmErrorKind kind);

    [LoggerMessage(2, LogLevel.Warning, "Deployment {DeploymentId} of '{ModelGroup}' cooled down for {Seconds} s after {Kind}.")]
    private partial void LogCooldown(string deploymentId, string modelGroup, double seconds, LiteLlmErrorKind kind);

    [LoggerMessage(3, LogLevel.Information, "Retry {Attempt} after {Delay} ({Error}).")]
    private partial void LogRetry(int attempt, TimeSpan delay, string? error);

    [LoggerMessage(4, LogLevel.Information, "'{ModelGroup}' failed with {Kind}; falling back to '{Fallback}'.")]
    private partial void LogFallbackCore(string modelGroup, LiteLlmErrorKind kind, string fallback);

    [LoggerMessage(5, LogLevel.Debug, "'{ModelGroup}': {First} is slow, hedging with {Second}.")]
    private partial void LogHedge(string modelGroup, string first, string second);

    private void LogFallback(LiteLlmException error, string group, string next) => LogFallbackCore(group, error.Kind, next);
}
