using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;

namespace LiteLlm.Providers.Http;

/// <summary>
/// The HTTP edge every provider client sends through, whichever SDK built the request. It applies
/// the endpoint's headers and per-call additions, turns any failed answer (status, connection,
/// time-out, an error frame inside a stream) into the unified exceptions, and keeps the key out of
/// every message.
/// </summary>
internal sealed class ProviderHttpHandler : DelegatingHandler
{
    private const int MaxErrorBodyBytes = 64 * 1024;
    private readonly EdgeEndpoint _endpoint;
    private readonly string? _model;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="ProviderHttpHandler"/> class for one deployment's client.</summary>
    /// <param name="endpoint">The provider endpoint.</param>
    /// <param name="model">The model the client calls (named in error messages).</param>
    /// <param name="inner">The transport.</param>
    /// <param name="time">The clock (a <c>Retry-After</c> date is measured against it).</param>
    public ProviderHttpHandler(EdgeEndpoint endpoint, string? model, HttpMessageHandler inner, TimeProvider time)
        : base(inner)
    {
        _endpoint = endpoint;
        _model = model;
        _time = time;
    }

    private string ProviderName => _endpoint.ProviderName;

    private bool SignsItsRequests => _endpoint.Auth == EdgeAuth.Signed;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        PrepareHeaders(request);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiConnectionException(Details(null, SecretRedactor.Redact(e.Message, _endpoint.ApiKey)), e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own time-out (the caller's token is untouched).
            throw new ProviderTimeoutException(Details(null, "The provider did not answer in time."), e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
                throw ErrorMapper.FromResponse(ProviderName, _model, (int)response.StatusCode, body, response.Headers, _endpoint.ApiKey, time: _time);
            }
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "text/event-stream" or "application/x-ndjson" or "application/jsonl")
        {
            response.Content = new StreamContentWithErrorScan(response.Content, this, _model, ndjson: mediaType != "text/event-stream");
        }

        return response;
    }

    internal LiteLlmException StreamError(string? model, string errorText)
        => ErrorMapper.FromResponse(ProviderName, model, 200, errorText, null, _endpoint.ApiKey, isMidStream: true) switch
        {
            // A stream error with no recognisable kind is the provider failing mid-answer.
            BadRequestException { Kind: LiteLlmErrorKind.BadRequest } e when e.ProviderCode is null
                => new InternalServerException(new ProviderErrorDetails(ProviderName, model, 200, e.ProviderMessage, null, true)),
            var e => e,
        };

    internal LiteLlmException StreamBroken(string? model, Exception e)
        => new ApiConnectionException(Details(null, "The stream broke: " + SecretRedactor.Redact(e.Message, _endpoint.ApiKey)) with { Model = model, IsMidStream = true }, e);

    private ProviderErrorDetails Details(int? status, string? message)
        => new(ProviderName, _model, status, message);

    private void PrepareHeaders(HttpRequestMessage request)
    {
        var headers = request.Headers;
        if (_endpoint.Auth == EdgeAuth.AzureApiKey)
        {
            // Azure takes the key in "api-key" and the version in the query.
            headers.Authorization = null;
            if (_endpoint.ApiKey is { Length: > 0 } key)
            {
                headers.TryAddWithoutValidation("api-key", key);
            }

            if (_endpoint.ApiVersion is { Length: > 0 } version && request.RequestUri is { } uri && !uri.Query.Contains("api-version=", StringComparison.Ordinal))
            {
                var separator = string.IsNullOrEmpty(uri.Query) ? "?" : "&";
                request.RequestUri = new Uri(uri.AbsoluteUri + separator + "api-version=" + Uri.EscapeDataString(version));
            }
        }
        else if (string.IsNullOrEmpty(_endpoint.ApiKey) && headers.Authorization is not null && !SignsItsRequests)
        {
            // Local servers (vLLM, LM Studio, Ollama) need no key; the SDK's placeholder must not leave.
            // (A SigV4 Authorization is the signature, not a placeholder.)
            headers.Authorization = null;
        }

        foreach (var (name, value) in _endpoint.Headers)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

    }

    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBodyBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
