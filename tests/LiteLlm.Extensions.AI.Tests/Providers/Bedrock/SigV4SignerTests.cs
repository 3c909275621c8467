using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiteLlm.Providers.Bedrock;

namespace LiteLlm.Tests.Providers.Bedrock;

public class SigV4SignerTests
{
    /// <summary>The shared vector (shared/fixtures/bedrock/sigv4.json): canonical request, string to sign and signature reproduced exactly.</summary>
    [Fact]
    public void SharedVector_IsReproducedExactly()
    {
        var vector = JsonDocument.Parse(Fixtures.Read("bedrock/sigv4.json")).RootElement;
        var request = vector.GetProperty("request");
        var credentials = vector.GetProperty("credentials");
        var expected = vector.GetProperty("expected");
        var body = Encoding.UTF8.GetBytes(request.GetProperty("body").GetString()!);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));

        var signature = SigV4Signer.Sign(
            request.GetProperty("method").GetString()!,
            new Uri(request.GetProperty("url").GetString()!),
            [new("Content-Type", request.GetProperty("contentType").GetString()!), new("X-Amz-Content-SHA256", payloadHash)],
            body,
            new AwsCredentials(credentials.GetProperty("accessKeyId").GetString()!, credentials.GetProperty("secretAccessKey").GetString()!, credentials.GetProperty("sessionToken").GetString()),
            vector.GetProperty("region").GetString()!,
            vector.GetProperty("service").GetString()!,
            DateTimeOffset.Parse(vector.GetProperty("signingDate").GetString()!, CultureInfo.InvariantCulture));

        Assert.Equal(expected.GetProperty("date").GetString(), signature.AmzDate);
        Assert.Equal(expected.GetProperty("payloadHash").GetString(), signature.PayloadHash);
        Assert.Equal(
            "POST\n/openai/v1/responses\n\n"
            + "content-type:application/json\nhost:bedrock-mantle.us-east-1.api.aws\n"
            + "x-amz-content-sha256:" + payloadHash + "\nx-amz-date:20250102T030405Z\nx-amz-security-token:fixture-session-token\n\n"
            + "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n" + payloadHash,
            signature.CanonicalRequest);
        Assert.Equal(expected.GetProperty("canonicalRequestHash").GetString(), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signature.CanonicalRequest))));
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20250102T030405Z\n20250102/us-east-1/bedrock-mantle/aws4_request\n" + expected.GetProperty("canonicalRequestHash").GetString(),
            signature.StringToSign);
        Assert.Equal(expected.GetProperty("authorization").GetString(), signature.Authorization);
    }

    /// <summary>botocore's signatures of a Converse request (TestData/converse-sigv4.json), with and without a session token.</summary>
    [Theory]
    [InlineData("session")]
    [InlineData("longTerm")]
    public void ConverseRequest_MatchesBotocore(string name)
    {
        var data = BedrockTestData.ConverseSignatures;
        var @case = data.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var token = @case.GetProperty("sessionToken").ValueKind == JsonValueKind.String ? @case.GetProperty("sessionToken").GetString() : null;

        var signature = SigV4Signer.Sign(
            "POST",
            new Uri(@case.GetProperty("url").GetString()!),
            [new("content-type", "application/json")],
            Encoding.UTF8.GetBytes(@case.GetProperty("body").GetString()!),
            new AwsCredentials(data.GetProperty("accessKeyId").GetString()!, data.GetProperty("secretAccessKey").GetString()!, token),
            "us-east-1",
            "bedrock",
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));

        Assert.Equal(@case.GetProperty("authorization").GetString(), signature.Authorization);
        Assert.Contains("\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n", signature.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void CanonicalPath_EncodesTheWirePathAgain_ExceptForS3()
    {
        var uri = new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/converse");

        Assert.Equal("/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A1%253Ainference-profile%252Fus.x-v1%253A0/converse", SigV4Signer.CanonicalPath(uri, doubleEncode: true));
        Assert.Equal("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/converse", SigV4Signer.CanonicalPath(uri, doubleEncode: false));
    }

    [Fact]
    public void CanonicalQuery_IsSortedAndEncoded()
        => Assert.Equal("a=1&b=x%20y&b=z&c=", SigV4Signer.CanonicalQuery(new Uri("https://h/p?b=z&c&a=1&b=x%20y")));

    [Fact]
    public void SecretNeverAppearsInToString()
        => Assert.DoesNotContain("SECRET", new AwsCredentials("AKID", "SECRET").ToString(), StringComparison.Ordinal);
}
