namespace LiteLlm.Gateway.Hosting;

/// <summary>An OpenAI-shaped error: <c>{"error":{"message","type","param","code"}}</c> with its HTTP status.</summary>
public sealed record GatewayError(int Status, string Message, string Type, string? Code = null, string? Param = null, TimeSpan? RetryAfter = null);
