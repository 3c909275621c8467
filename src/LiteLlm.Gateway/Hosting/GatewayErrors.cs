using System.Globalization;
using System.Text.Json;
using LiteLlm.Cost;
using LiteLlm.Errors;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Protocol.OpenAI;

namespace LiteLlm.Gateway.Hosting;

/// <summary>A request the gateway refuses before it reaches the pipeline; carries the OpenAI-shaped error.</summary>
internal sealed class GatewayRequestException : Exception
{
    public GatewayRequestException(GatewayError error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public GatewayRequestException()
        : this(GatewayErrors.BadRequest("Bad request."))
    {
    }

    public GatewayRequestException(string message)
        : this(GatewayErrors.BadRequest(message))
    {
    }

    public GatewayRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = GatewayErrors.BadRequest(message);
    }

    public GatewayError Error { get; }
}

/// <summary>Maps everything that can go wrong to an OpenAI-shaped error with the right status.</summary>
internal static class GatewayErrors
{
    public static GatewayError BadRequest(string message, string? param = null, string? code = null)
        => new(StatusCodes.Status400BadRequest, message, "invalid_request_error", code, param);

    public static GatewayRequestException Invalid(string message, string? param = null, string? code = null)
        => new(BadRequest(message, param, code));

    public static GatewayError ModelNotFound(string model, string detail)
        => new(StatusCodes.Status404NotFound, detail, "invalid_request_error", "model_not_found", "model");

    /// <summary>Turns an exception into the error the client sees. Provider messages are already redacted by the library.</summary>
    public static GatewayError FromException(Exception exception) => exception switch
    {
        GatewayRequestException g => g.Error,
        UnknownModelException u when !string.IsNullOrEmpty(u.RequestedModel) => ModelNotFound(u.RequestedModel, u.Message),
        UnknownModelException u => BadRequest(u.Message, "model"),
        BudgetExceededException b => new(b.HttpStatus, b.Message, "budget_exceeded", "budget_exceeded"),
        ContextWindowExceededException c => new(400, c.Message, "invalid_request_error", "context_length_exceeded", "messages"),
        ContentPolicyViolationException c => new(400, c.Message, "invalid_request_error", "content_policy_violation"),
        UnsupportedParameterException u => new(400, u.Message, "invalid_request_error", "unsupported_parameter", u.Parameter),
        RateLimitException r => new(429, r.Message, r.IsQuotaExceeded ? "insufficient_quota" : "rate_limit_error",
            r.IsQuotaExceeded ? "insufficient_quota" : "rate_limit_exceeded", RetryAfter: r.RetryAfter),
        ServiceUnavailableException s => new(s.HttpStatus, s.Message, "service_unavailable", s.IsOverloaded ? "overloaded" : "service_unavailable", RetryAfter: s.RetryAfter),
        LiteLlmException l => new(l.HttpStatus, l.Message, TypeOf(l.Kind), CodeOf(l.Kind)),
        JsonException j => BadRequest(DescribeJson(j), ParamOf(j), "invalid_json"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new(413, "The request body is larger than the gateway's limit.", "invalid_request_error", "request_too_large"),
        BadHttpRequestException b => new(b.StatusCode, "The request could not be read: " + b.Message, "invalid_request_error"),
        _ => new(500, "The gateway failed to process the request.", "internal_server_error", "internal_server_error"),
    };

    public static ErrorResponse ToBody(GatewayError error) => new()
    {
        Error = new ErrorBody { Message = error.Message, Type = error.Type, Param = error.Param, Code = error.Code },
    };

    public static void ApplyHeaders(HttpResponse response, GatewayError error)
    {
        if (error.RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = error.Status;
        ApplyHeaders(context.Response, error);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, ToBody(error), GatewayJson.Context.ErrorResponse, context.RequestAborted).ConfigureAwait(false);
    }

    public static string KindOf(Exception exception) => exception switch
    {
        LiteLlmException l => l.Kind.ToString(),
        StreamFailedException { InnerException: { } inner } => KindOf(inner),
        GatewayRequestException => "BadRequest",
        OperationCanceledException => "Cancelled",
        _ => "Error",
    };

    public static string AnthropicType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static string TypeOf(LiteLlmErrorKind kind) => kind switch
    {
        LiteLlmErrorKind.Authentication => "authentication_error",
        LiteLlmErrorKind.PermissionDenied => "permission_error",
        LiteLlmErrorKind.NotFound => "not_found_error",
        LiteLlmErrorKind.Timeout => "timeout",
        LiteLlmErrorKind.Connection => "api_connection_error",
        LiteLlmErrorKind.InternalServer => "api_error",
        _ => "invalid_request_error",
    };

    private static string? CodeOf(LiteLlmErrorKind kind) => kind switch
    {
        LiteLlmErrorKind.Authentication => "invalid_api_key",
        LiteLlmErrorKind.Timeout => "timeout",
        _ => null,
    };

    private static string? ParamOf(JsonException e)
        => e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;

    private static string DescribeJson(JsonException e)
    {
        var where = ParamOf(e) is { } p ? $" at '{p}'" : string.Empty;
        var line = e.LineNumber is { } l ? $" (line {l + 1}, position {e.BytePositionInLine + 1})" : string.Empty;
        return e.Path is null || e.Path == "$"
            ? "The request body is not valid JSON" + line + "."
            : $"Invalid value{where}{line}: the value has the wrong type or is malformed.";
    }
}
