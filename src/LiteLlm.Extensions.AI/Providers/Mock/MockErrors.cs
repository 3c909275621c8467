using System.Net;
using LiteLlm.Errors;

namespace LiteLlm.Providers.Mock;

/// <summary>Scripted errors, named as LiteLLM names its exceptions (<c>litellm.RateLimitError</c>).</summary>
internal static class MockErrors
{
    public static LiteLlmException? TryCreate(string response, string model)
    {
        if (!response.StartsWith("litellm.", StringComparison.Ordinal))
        {
            return null;
        }

        ProviderErrorDetails D(int? status, string message, string? code = null) => new("mock", model, status, message, code);
        return response["litellm.".Length..] switch
        {
            "RateLimitError" => new RateLimitException(D(429, "Mock rate limit. Please try again in 1s."), TimeSpan.FromSeconds(1)),
            "AuthenticationError" => new AuthenticationException(D(401, "Mock authentication error.")),
            "PermissionDeniedError" => new PermissionDeniedException(D(403, "Mock permission error.")),
            "NotFoundError" => new NotFoundException(D(404, "Mock model not found.")),
            "BadRequestError" => new BadRequestException(D(400, "Mock bad request.")),
            "ContextWindowExceededError" => new ContextWindowExceededException(D(400, "Mock: this model's maximum context length is 8 tokens.", "context_length_exceeded")),
            "ContentPolicyViolationError" => new ContentPolicyViolationException(D(400, "Mock content policy violation.", "content_policy_violation")),
            "Timeout" => new ProviderTimeoutException(D(408, "Mock timeout.")),
            "APIConnectionError" => new ApiConnectionException(D(null, "Mock connection error.")),
            "ServiceUnavailableError" => new ServiceUnavailableException(D(503, "Mock service unavailable.")),
            "InternalServerError" => new InternalServerException(D(500, "Mock internal error.")),
            var other when int.TryParse(other, out var status) => ErrorMapper.FromStatus("mock", model, (HttpStatusCode)status, "Mock error " + status + "."),
            _ => null,
        };
    }
}
