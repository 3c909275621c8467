using System.Net;
using System.Net.Http.Headers;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Errors;

/// <summary>Each provider's documented error signals (WIRE-FORMATS.md) map to one unified type.</summary>
public sealed class ErrorMapperTests
{
    [Theory]
    // OpenAI
    [InlineData(401, """{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", LiteLlmErrorKind.Authentication)]
    [InlineData(400, """{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", LiteLlmErrorKind.ContextWindowExceeded)]
    [InlineData(400, """{"error":{"message":"rejected","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""", LiteLlmErrorKind.ContentPolicy)]
    [InlineData(429, """{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""", LiteLlmErrorKind.RateLimit)]
    [InlineData(500, """{"error":{"message":"The server had an error processing your request.","type":"server_error","param":null,"code":null}}""", LiteLlmErrorKind.InternalServer)]
    // Azure: numeric string code, content filter with innererror
    [InlineData(429, """{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation ... Please retry after 86400 seconds."}}""", LiteLlmErrorKind.RateLimit)]
    [InlineData(400, """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}}""", LiteLlmErrorKind.ContentPolicy)]
    // Anthropic
    [InlineData(400, """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 209353 tokens > 199999 maximum"},"request_id":"req_1"}""", LiteLlmErrorKind.ContextWindowExceeded)]
    [InlineData(401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""", LiteLlmErrorKind.Authentication)]
    [InlineData(403, """{"type":"error","error":{"type":"permission_error","message":"no"}}""", LiteLlmErrorKind.PermissionDenied)]
    [InlineData(404, """{"type":"error","error":{"type":"not_found_error","message":"model: claude-9"}}""", LiteLlmErrorKind.NotFound)]
    [InlineData(413, """{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}""", LiteLlmErrorKind.BadRequest)]
    [InlineData(529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", LiteLlmErrorKind.ServiceUnavailable)]
    [InlineData(200, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", LiteLlmErrorKind.ServiceUnavailable)]
    // Gemini: a bad key is a 400
    [InlineData(400, """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}""", LiteLlmErrorKind.Authentication)]
    [InlineData(400, """{"error":{"code":400,"message":"The input token count (314175) exceeds the maximum number of tokens allowed (131072).","status":"INVALID_ARGUMENT"}}""", LiteLlmErrorKind.ContextWindowExceeded)]
    [InlineData(429, """{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""", LiteLlmErrorKind.RateLimit)]
    [InlineData(503, """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""", LiteLlmErrorKind.ServiceUnavailable)]
    [InlineData(504, """{"error":{"code":504,"message":"Deadline exceeded","status":"DEADLINE_EXCEEDED"}}""", LiteLlmErrorKind.Timeout)]
    // Cohere
    [InlineData(400, """{"id":"x","message":"too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292."}""", LiteLlmErrorKind.ContextWindowExceeded)]
    [InlineData(401, """{"message":"invalid api token"}""", LiteLlmErrorKind.Authentication)]
    [InlineData(498, """{"message":"blocked output: contains a deny-listed token"}""", LiteLlmErrorKind.ContentPolicy)]
    // Bedrock (code in x-amzn-ErrorType, tested below) and Ollama
    [InlineData(400, """{"message":"Input is too long for requested model."}""", LiteLlmErrorKind.ContextWindowExceeded)]
    [InlineData(404, """{"error":"model \"llama9\" not found, try pulling it first"}""", LiteLlmErrorKind.NotFound)]
    [InlineData(502, "<html>Bad Gateway</html>", LiteLlmErrorKind.ServiceUnavailable)]
    public void ProviderSignals_MapToKinds(int status, string body, LiteLlmErrorKind expected)
    {
        var error = ErrorMapper.FromResponse("p", "m", status, body);
        Assert.Equal(expected, error.Kind);
        Assert.False(string.IsNullOrEmpty(error.ProviderMessage));
    }

    [Fact]
    public void Bedrock_ReadsTheErrorTypeHeader()
    {
        using var response = new HttpResponseMessage((HttpStatusCode)400);
        response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
        Assert.IsType<RateLimitException>(ErrorMapper.FromResponse("bedrock", "m", 400, """{"message":"Too many requests"}""", response.Headers));

        using var quota = new HttpResponseMessage((HttpStatusCode)400);
        quota.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ServiceQuotaExceededException:http://internal.amazon.com/");
        Assert.True(Assert.IsType<RateLimitException>(ErrorMapper.FromResponse("bedrock", "m", 400, """{"message":"quota"}""", quota.Headers)).IsQuotaExceeded);
    }

    [Theory]
    [InlineData("retry-after", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    public void RetryAfter_FromHeaders(string header, string value, int expectedMs)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);
        var error = Assert.IsType<RateLimitException>(ErrorMapper.FromResponse("p", "m", 429, "{}", response.Headers));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), error.RetryAfter);
    }

    [Fact]
    public void RetryAfter_FromTheMessageWhenNoHeader()
    {
        var error = Assert.IsType<RateLimitException>(ErrorMapper.FromResponse("p", "m", 429,
            """{"error":{"message":"Rate limit reached for gpt-4.1 ... Please try again in 6.596s.","type":"tokens","code":"rate_limit_exceeded"}}"""));
        Assert.Equal(TimeSpan.FromSeconds(6.596), error.RetryAfter);
    }

    [Fact]
    public void Secrets_AreRedactedFromMessages()
    {
        var error = ErrorMapper.FromResponse("openai", "m", 401,
            """{"error":{"message":"Incorrect API key provided: sk-live-ABCDEF0123456789. Also Bearer abcdefghijkl1234 and AIzaSyA-1234567890abcdefghijklmnop","code":"invalid_api_key"}}""",
            secret: "sk-live-ABCDEF0123456789");
        Assert.DoesNotContain("ABCDEF0123456789", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijkl1234", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AIzaSyA-1234567890", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("[REDACTED]", error.ProviderMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void LongBodies_AreTruncated()
    {
        var error = ErrorMapper.FromResponse("p", "m", 500, new string('x', 10_000));
        Assert.True(error.ProviderMessage!.Length <= 2001);
    }
}
