using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.OpenAI;

/// <summary>Writes OpenAI-shaped errors: <c>{"error":{"message","type","param","code"}}</c>, never a key, never a stack.</summary>
internal static class OpenAIError
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static GatewayError From(Exception exception) => exception switch
    {
        UnknownModelException e => new GatewayError(404, e.Message, "invalid_request_error", "model_not_found", "model"),
        BudgetExceededException e => new GatewayError(e.HttpStatus, e.Message, "budget_exceeded", "budget_exceeded"),
        RateLimitException e => new GatewayError(429, e.Message, "rate_limit_error", e.IsQuotaExceeded ? "insufficient_quota" : "rate_limit_exceeded", RetryAfter: e.RetryAfter),
        ContextWindowExceededException e => new GatewayError(400, e.Message, "invalid_request_error", "context_length_exceeded", "messages"),
        ContentPolicyViolationException e => new GatewayError(400, e.Message, "invalid_request_error", "content_policy_violation"),
        UnsupportedParameterException e => new GatewayError(400, e.Message, "invalid_request_error", "unsupported_parameter", e.Parameter),
        BadRequestException e => new GatewayError(400, e.Message, "invalid_request_error", e.ProviderCode),
        AuthenticationException e => new GatewayError(401, "The provider rejected the gateway's credentials: " + e.Message, "authentication_error", "upstream_authentication"),
        PermissionDeniedException e => new GatewayError(403, e.Message, "permission_error", null),
        NotFoundException e => new GatewayError(404, e.Message, "invalid_request_error", "model_not_found"),
        ProviderTimeoutException e => new GatewayError(504, e.Message, "timeout", "timeout"),
        ApiConnectionException e => new GatewayError(502, e.Message, "api_connection_error", null),
        ServiceUnavailableException e => new GatewayError(503, e.Message, "service_unavailable", null, RetryAfter: e.RetryAfter),
        LiteLlmException e => new GatewayError(e.HttpStatus >= 500 ? e.HttpStatus : 500, e.Message, "api_error", null),
        _ => new GatewayError(500, "The gateway failed to process the request.", "api_error", "internal_error"),
    };

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var writer = new Utf8JsonWriter(response.Body, WriterOptions);
        WriteBody(writer, error);
        await writer.FlushAsync(context.RequestAborted);
    }

    public static void WriteBody(Utf8JsonWriter writer, GatewayError error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", SecretRedactor.Redact(error.Message));
        writer.WriteString("type", error.Type);
        WriteNullable(writer, "param", error.Param);
        WriteNullable(writer, "code", error.Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
