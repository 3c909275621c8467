using LiteLlm.Errors;

namespace LiteLlm.Tests.Errors;

public class ErrorMapperBedrockTests
{
    /// <summary>Bedrock's token throttling text mentions "too many tokens"; it is a rate limit, not a context-window error.</summary>
    [Theory]
    [InlineData(429, "ThrottlingException")]
    [InlineData(null, "throttlingException")]
    public void TooManyTokensThrottling_IsARateLimit(int? status, string code)
    {
        var error = ErrorMapper.Classify(new ProviderErrorDetails("bedrock", "m", status, "Too many tokens, please wait before trying again.", code, IsMidStream: status is null));

        Assert.IsType<RateLimitException>(error);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void TooManyTokensInABadRequest_IsStillAContextWindowError()
        => Assert.IsType<ContextWindowExceededException>(ErrorMapper.Classify(new ProviderErrorDetails("x", "m", 400, "Too many tokens in the prompt.", "ValidationException")));

    [Theory]
    [InlineData("serviceUnavailableException", typeof(ServiceUnavailableException))]
    [InlineData("modelStreamErrorException", typeof(InternalServerException))]
    [InlineData("internalServerException", typeof(InternalServerException))]
    [InlineData("validationException", typeof(BadRequestException))]
    public void StreamExceptionTypes_WithoutStatus(string code, Type expected)
        => Assert.IsType(expected, ErrorMapper.Classify(new ProviderErrorDetails("bedrock", "m", null, "failed", code, IsMidStream: true)));

    /// <summary>ModelErrorException (424) is the model failing on a valid request: a server error (retried), not the caller's 400.</summary>
    [Theory]
    [InlineData(424, "ModelErrorException")]
    [InlineData(424, null)]
    public void ModelError424_IsAServerError(int status, string? code)
    {
        var error = ErrorMapper.Classify(new ProviderErrorDetails("bedrock", "m", status, "The model failed to process the request.", code));
        Assert.IsType<InternalServerException>(error);
        Assert.True(error.IsTransient);
    }
}
