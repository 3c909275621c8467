using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LiteLlm.Errors;

/// <summary>
/// Maps a provider's failed answer (status, headers, body) to the unified exception hierarchy.
/// </summary>
/// <remarks>
/// One mapper serves every protocol: the error bodies differ in shape (<c>error.message</c>,
/// <c>error</c> as a string, <c>message</c>) but not in meaning, and each provider's distinguishing
/// signals (codes, types, texts) do not collide. The signals are listed in docs/errors.md.
/// </remarks>
internal static partial class ErrorMapper
{
    private const int MaxMessageLength = 2000;

    /// <summary>Maps an HTTP error answer to an exception.</summary>
    /// <param name="provider">The provider's name.</param>
    /// <param name="model">The model asked for.</param>
    /// <param name="statusCode">The HTTP status (an error frame inside a stream passes 200 or the status it names).</param>
    /// <param name="body">The response body, if any.</param>
    /// <param name="headers">The response headers, if any (for <c>Retry-After</c> and <c>x-amzn-ErrorType</c>).</param>
    /// <param name="secret">The API key used, so that it is never echoed back.</param>
    /// <param name="isMidStream">Whether the error arrived inside a stream.</param>
    /// <param name="time">The clock a <c>Retry-After</c> date is measured against (the system's when null).</param>
    public static LiteLlmException FromResponse(
        string? provider,
        string? model,
        int statusCode,
        string? body,
        HttpResponseHeaders? headers = null,
        string? secret = null,
        bool isMidStream = false,
        TimeProvider? time = null)
    {
        var (message, code) = ParseBody(body);
        if (headers is not null && headers.TryGetValues("x-amzn-ErrorType", out var amzn))
        {
            // Bedrock: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
            var type = amzn.FirstOrDefault()?.Split(':')[0];
            code ??= type;
        }

        message = Truncate(SecretRedactor.Redact(message ?? (string.IsNullOrWhiteSpace(body) ? null : body), secret));
        var details = new ProviderErrorDetails(provider, model, statusCode, message, code, isMidStream);
        return Classify(details, RetryAfterFrom(headers, message, time));
    }

    /// <summary>Maps an error that is known only by kind (a mock's scripted error, a stream frame with a type).</summary>
    public static LiteLlmException Classify(ProviderErrorDetails details, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(details);
        var status = details.StatusCode ?? 0;
        var code = details.ProviderCode ?? string.Empty;
        var text = details.ProviderMessage ?? string.Empty;

        // Signals that override the status: Gemini reports a bad key as 400, Bedrock throttling as 400
        // for quota, Anthropic's overloaded_error arrives mid-stream with no status of its own.
        if (IsAuthSignal(code, text))
        {
            return new AuthenticationException(details);
        }

        // Bedrock throttles with "Too many tokens, please wait…": a rate limit, not a context-window error.
        if (IsContextWindowSignal(code, text) && status != 429 && !Has(code, "Throttling"))
        {
            return new ContextWindowExceededException(details);
        }

        if (IsContentPolicySignal(status, code, text))
        {
            return new ContentPolicyViolationException(details);
        }

        if (IsQuotaSignal(code, text))
        {
            return new RateLimitException(details, retryAfter, isQuotaExceeded: true);
        }

        if (status == 429 || Has(code, "rate_limit") || Has(code, "Throttling") || Has(code, "RESOURCE_EXHAUSTED") || Has(code, "too_many_requests"))
        {
            return new RateLimitException(details, retryAfter);
        }

        if (Has(code, "overloaded") || Has(code, "ServiceUnavailable") || Has(code, "UNAVAILABLE") || status is 502 or 503 or 529)
        {
            return new ServiceUnavailableException(details, retryAfter);
        }

        if (status is 408 or 504 || Has(code, "DEADLINE_EXCEEDED") || Has(code, "ModelTimeout") || Has(code, "timeout"))
        {
            return new ProviderTimeoutException(details);
        }

        // Bedrock's ModelErrorException (424): the model failed while processing a valid request, a server-side failure.
        if (status == 424 || Has(code, "ModelError"))
        {
            return new InternalServerException(details);
        }

        return status switch
        {
            401 => new AuthenticationException(details),
            403 => new PermissionDeniedException(details),
            404 => new NotFoundException(details),
            >= 400 and < 500 => new BadRequestException(details),
            _ when Has(code, "invalid_request") || Has(code, "ValidationException") || Has(code, "INVALID_ARGUMENT") => new BadRequestException(details),
            _ when Has(code, "authentication") || Has(code, "AccessDenied") => code.Contains("AccessDenied", StringComparison.Ordinal)
                ? new PermissionDeniedException(details) : new AuthenticationException(details),
            _ when Has(code, "permission") => new PermissionDeniedException(details),
            _ when Has(code, "not_found") || Has(code, "ResourceNotFound") => new NotFoundException(details),
            _ => new InternalServerException(details),
        };
    }

    /// <summary>Extracts the message and code from any provider's error body.</summary>
    internal static (string? Message, string? Code) ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.AsSpan().TrimStart()[0] is not ('{' or '['))
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0]; // Gemini's JSON-array stream form
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (error.GetString(), null); // Ollama: {"error":"model not found"}
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    var message = StringOf(error, "message");
                    // OpenAI: code (string), type; Anthropic: type; Gemini: status + details[].reason; Azure: code ("429", "content_filter")
                    var code = StringOf(error, "code") is { } c && !int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? c : null;
                    code ??= ReasonOf(error) ?? StringOf(error, "status") ?? StringOf(error, "type");
                    if (code is not null && StringOf(error, "type") is { } type && type != code)
                    {
                        code = code + " " + type;
                    }

                    if (ReasonOf(error) is { } reason && !(code?.Contains(reason, StringComparison.Ordinal) ?? false))
                    {
                        code = code is null ? reason : code + " " + reason;
                    }

                    if (error.TryGetProperty("innererror", out var inner) && StringOf(inner, "code") is { } innerCode)
                    {
                        code = code is null ? innerCode : code + " " + innerCode;
                    }

                    return (message, code);
                }
            }

            // Cohere {"message"}, Bedrock {"message"} / {"Message"}, Anthropic stream {"type":"error","error":{...}} handled above.
            return (StringOf(root, "message") ?? StringOf(root, "Message") ?? StringOf(root, "detail"), StringOf(root, "__type") ?? StringOf(root, "code"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Reads <c>Retry-After</c> (seconds or date), <c>retry-after-ms</c>, or "try again in 6.5s" from the message.</summary>
    internal static TimeSpan? RetryAfterFrom(HttpResponseHeaders? headers, string? message, TimeProvider? time = null)
    {
        if (headers is not null)
        {
            if (headers.TryGetValues("retry-after-ms", out var ms)
                && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }

            if (headers.RetryAfter is { } ra)
            {
                if (ra.Delta is { } delta)
                {
                    return delta;
                }

                if (ra.Date is { } date)
                {
                    var wait = date - (time ?? TimeProvider.System).GetUtcNow();
                    return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
                }
            }
        }

        if (message is not null && RetryInMessage().Match(message) is { Success: true } m
            && double.TryParse(m.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            return m.Groups["unit"].Value.StartsWith("ms", StringComparison.OrdinalIgnoreCase)
                ? TimeSpan.FromMilliseconds(n)
                : TimeSpan.FromSeconds(n);
        }

        return null;
    }

    /// <summary>Maps a status code without a body (used for scripted errors).</summary>
    public static LiteLlmException FromStatus(string? provider, string? model, HttpStatusCode status, string? message = null, TimeSpan? retryAfter = null)
        => Classify(new ProviderErrorDetails(provider, model, (int)status, message), retryAfter);

    private static bool IsAuthSignal(string code, string text)
        => Has(code, "API_KEY_INVALID") || Has(code, "invalid_api_key") || Has(code, "authentication_error")
        || Has(code, "UnrecognizedClient") || Has(code, "InvalidSignature") || Has(code, "IncompleteSignature")
        || Has(text, "API key not valid") || Has(text, "invalid api token") || Has(text, "Incorrect API key");

    private static bool IsContextWindowSignal(string code, string text)
        => Has(code, "context_length_exceeded") || Has(code, "context_window_exceeded") || Has(code, "string_above_max_length")
        || Has(text, "maximum context length") || Has(text, "context length") || Has(text, "context window")
        || Has(text, "prompt is too long") || Has(text, "Input is too long") || Has(text, "too many tokens")
        || Has(text, "exceeds the maximum number of tokens") || Has(text, "reduce the length of the messages")
        || Has(text, "input length and `max_tokens` exceed") || Has(text, "maximum prompt length")
        || Has(text, "too long for the context") || Has(text, "model_context_window_exceeded");

    private static bool IsContentPolicySignal(int status, string code, string text)
        => status == 498 || Has(code, "content_policy") || Has(code, "content_filter") || Has(code, "ResponsibleAIPolicyViolation")
        || Has(code, "PROHIBITED_CONTENT") || Has(code, "SAFETY") && !Has(code, "UNSAFE")
        || Has(text, "content management policy") || Has(text, "safety system") || Has(text, "content policy");

    private static bool IsQuotaSignal(string code, string text)
        => Has(code, "insufficient_quota") || Has(code, "ServiceQuotaExceeded") || Has(code, "billing_hard_limit")
        || Has(text, "exceeded your current quota") || Has(text, "credit balance is too low");

    private static bool Has(string haystack, string needle) => haystack.Contains(needle, StringComparison.OrdinalIgnoreCase);

    private static string? StringOf(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    private static string? ReasonOf(JsonElement error)
    {
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in details.EnumerateArray())
            {
                if (StringOf(d, "reason") is { } reason)
                {
                    return reason;
                }
            }
        }

        return null;
    }

    private static string? Truncate(string? s) => s is { Length: > MaxMessageLength } ? s[..MaxMessageLength] + "…" : s;

    [GeneratedRegex(@"(?:try again in|retry after|retry in)\s+(?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s|sec|seconds?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetryInMessage();
}
