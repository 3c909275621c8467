using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Providers.Bedrock;

/// <summary>
/// Sends one Bedrock request: resolves the region and credentials (settings, then environment) at
/// call time, builds the URL and authenticates with a Bedrock API key (<c>Authorization: Bearer</c>)
/// or a SigV4 signature over <c>content-type;host;x-amz-date</c> (+ <c>x-amz-security-token</c>).
/// </summary>
internal sealed class BedrockTransport
{
    /// <summary>The SigV4 signing name of <c>bedrock-runtime</c>.</summary>
    public const string SigningName = "bedrock";

    /// <summary>The region used when none is configured (LiteLLM's default).</summary>
    public const string DefaultRegion = "us-west-2";

    private const string JsonMediaType = "application/json";

    /// <summary>Gets the options request bodies are written with: compact, non-ASCII text left readable.</summary>
    public static JsonSerializerOptions WireJson { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _http;
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;

    public BedrockTransport(ProviderEndpoint endpoint, string model, HttpClient http, Func<string, string?> environment, TimeProvider time)
    {
        _endpoint = endpoint;
        _model = model;
        _http = http;
        _environment = environment;
        _time = time;
    }

    public ProviderEndpoint Endpoint => _endpoint;

    /// <summary>Gets the factory's client for this deployment (the clients built on this transport do not own it).</summary>
    public HttpClient Http => _http;

    public string ProviderName => _endpoint.Provider.Name;

    /// <summary>Gets the current time from the factory's clock.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Gets the region: <c>aws_region_name</c>, then AWS_REGION_NAME / AWS_REGION / AWS_DEFAULT_REGION, then the API base's host.</summary>
    public string Region
        => Setting("aws_region_name") ?? Env("AWS_REGION_NAME") ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION")
        ?? RegionOfHost(_endpoint.ApiBase.Host) ?? DefaultRegion;

    /// <summary>Gets the base URL: the configured API base, or the default one for the region.</summary>
    public Uri BaseUri
    {
        get
        {
            var defaultBase = _endpoint.Provider.DefaultApiBase;
            if (defaultBase is not null && _endpoint.ApiBase.AbsoluteUri == new Uri(defaultBase).AbsoluteUri)
            {
                return new Uri("https://bedrock-runtime." + Region + ".amazonaws.com/");
            }

            return _endpoint.ApiBase;
        }
    }

    /// <summary>Gets the URL of <c>model/{modelId}/{action}</c>, the model id percent-encoded (<c>:</c> as <c>%3A</c>, <c>/</c> as <c>%2F</c>).</summary>
    public Uri ModelUri(string action) => new(BaseUri, "model/" + Uri.EscapeDataString(_model) + "/" + action);

    /// <summary>Posts <paramref name="body"/> as JSON to <c>model/{id}/{action}</c>, authenticated, with the call's extra headers.</summary>
    public async Task<HttpResponseMessage> PostAsync(string action, byte[] body, bool stream, CancellationToken cancellationToken, Microsoft.Extensions.AI.AdditionalPropertiesDictionary? extras = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var request = new HttpRequestMessage(HttpMethod.Post, ModelUri(action));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "application/vnd.amazon.eventstream" : JsonMediaType));
        Authenticate(request, body);
        WireExtras.ApplyHeaders(request, extras); // after signing: SigV4 covers only the headers it names
        return await _http.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Adds a bearer key, or signs the request as it stands (call last, after every signed header is set).</summary>
    internal void Authenticate(HttpRequestMessage request, byte[] body)
    {
        if (_endpoint.ApiKey is { Length: > 0 } apiKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            return;
        }

        var credentials = Credentials() ?? throw new AuthenticationException(new ProviderErrorDetails(ProviderName, _model, null,
            "No AWS credentials for Bedrock: pass aws_access_key_id and aws_secret_access_key (and aws_session_token for temporary credentials) "
            + "in the provider settings, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a Bedrock API key (api_key or AWS_BEARER_TOKEN_BEDROCK)."));
        var signature = SigV4Signer.Sign(
            request.Method.Method,
            request.RequestUri!,
            [new("content-type", request.Content!.Headers.ContentType!.ToString())],
            body,
            credentials,
            Region,
            SigningName,
            _time.GetUtcNow());
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
    }

    /// <summary>Gets the credentials: all from the settings when they name an access key, otherwise all from the environment.</summary>
    internal AwsCredentials? Credentials()
    {
        if (Setting("aws_access_key_id") is { } settingsKey)
        {
            return Setting("aws_secret_access_key") is { } settingsSecret
                ? new AwsCredentials(settingsKey, settingsSecret, Setting("aws_session_token"))
                : null;
        }

        return Env("AWS_ACCESS_KEY_ID") is { } key && Env("AWS_SECRET_ACCESS_KEY") is { } secret
            ? new AwsCredentials(key, secret, Env("AWS_SESSION_TOKEN"))
            : null;
    }

    internal static string? RegionOfHost(string host)
    {
        // bedrock-runtime.{region}.amazonaws.com, bedrock-runtime-fips.{region}.amazonaws.com
        var parts = host.Split('.');
        return parts.Length >= 4 && parts[0].StartsWith("bedrock", StringComparison.OrdinalIgnoreCase)
            && parts[^2] == "amazonaws" ? parts[1] : null;
    }

    private string? Setting(string name)
        => _endpoint.Settings.TryGetValue(name, out var value) ? value switch
        {
            null => null,
            string s => s.Length > 0 ? s : null,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() is { Length: > 0 } s ? s : null,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s : null,
        } : null;

    private string? Env(string name) => _environment(name) is { Length: > 0 } value ? value : null;
}
