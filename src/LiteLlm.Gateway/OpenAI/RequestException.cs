using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.OpenAI;

/// <summary>A request the gateway refuses before calling anything: always a 4xx with an OpenAI-shaped body.</summary>
internal sealed class RequestException(GatewayError error) : Exception(error.Message)
{
    public GatewayError Error { get; } = error;

    public static RequestException Invalid(string param, string message)
        => new(new GatewayError(400, message, "invalid_request_error", "invalid_request", param));
}
