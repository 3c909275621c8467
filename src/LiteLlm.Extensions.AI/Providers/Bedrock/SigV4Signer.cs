using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LiteLlm.Providers.Bedrock;

/// <summary>AWS credentials for Signature Version 4.</summary>
/// <param name="AccessKeyId">The access key id (<c>AKIA…</c> or <c>ASIA…</c>).</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, if any.</param>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    /// <inheritdoc/>
    public override string ToString() => "AwsCredentials(" + AccessKeyId + ")"; // never the secret
}

/// <summary>The result of signing: the headers to put on the request and the intermediate texts (for tests and logs).</summary>
internal sealed record SigV4Signature(
    string Authorization,
    string AmzDate,
    string PayloadHash,
    string SignedHeaders,
    string CanonicalRequest,
    string StringToSign,
    string Signature);

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) for one request, as the AWS SigV4 documentation
/// specifies it. Non-S3 services sign the path URI-encoded a second time: a model id's <c>:</c> is
/// <c>%3A</c> on the wire and <c>%253A</c> in the canonical request.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Signs a request.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The request URI exactly as it goes on the wire (path already percent-encoded).</param>
    /// <param name="headers">
    /// The headers to sign besides <c>host</c>, <c>x-amz-date</c> and <c>x-amz-security-token</c>, which
    /// are added here (e.g. <c>content-type</c>, and <c>x-amz-content-sha256</c> where a service wants it).
    /// </param>
    /// <param name="payload">The request body.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="region">The region, e.g. <c>us-east-1</c>.</param>
    /// <param name="service">The signing name, e.g. <c>bedrock</c>.</param>
    /// <param name="time">The signing time.</param>
    /// <param name="doubleEncodePath">Whether to URI-encode the path again (every service except S3).</param>
    public static SigV4Signature Sign(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> payload,
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset time,
        bool doubleEncodePath = true)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(credentials);
        var utc = time.ToUniversalTime();
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var day = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(payload));

        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            all[name.ToLowerInvariant()] = value;
        }

        all["host"] = uri.Authority;
        all["x-amz-date"] = amzDate;
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            all["x-amz-security-token"] = credentials.SessionToken;
        }

        var signedHeaders = string.Join(';', all.Keys);
        var canonical = new StringBuilder()
            .Append(method.ToUpperInvariant()).Append('\n')
            .Append(CanonicalPath(uri, doubleEncodePath)).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n');
        foreach (var (name, value) in all)
        {
            canonical.Append(name).Append(':').Append(TrimValue(value)).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var canonicalRequest = canonical.ToString();

        var scope = day + "/" + region + "/" + service + "/aws4_request";
        var stringToSign = Algorithm + "\n" + amzDate + "\n" + scope + "\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), day);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        var authorization = Algorithm + " Credential=" + credentials.AccessKeyId + "/" + scope
            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        return new SigV4Signature(authorization, amzDate, payloadHash, signedHeaders, canonicalRequest, stringToSign, signature);
    }

    /// <summary>The canonical URI: the wire path, encoded once more unless <paramref name="doubleEncode"/> is false.</summary>
    internal static string CanonicalPath(Uri uri, bool doubleEncode)
    {
        var path = uri.AbsolutePath; // escaped form, as sent
        if (path.Length == 0)
        {
            return "/";
        }

        return doubleEncode ? Encode(path, keepSlash: true) : path;
    }

    internal static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query;
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var pairs = new List<(string Key, string Value)>();
        foreach (var part in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(part[(eq + 1)..]);
            pairs.Add((Encode(name, keepSlash: false), Encode(value, keepSlash: false)));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>AWS URI encoding: every byte but <c>A-Z a-z 0-9 - _ . ~</c> (and <c>/</c> if kept) as <c>%XX</c>.</summary>
    internal static string Encode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    // Header values: leading and trailing spaces removed, runs of spaces collapsed to one.
    private static string TrimValue(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var sb = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ' && previousSpace)
            {
                continue;
            }

            previousSpace = c == ' ';
            sb.Append(c);
        }

        return sb.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
