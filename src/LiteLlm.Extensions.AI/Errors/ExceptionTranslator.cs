using System.ClientModel;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;

namespace LiteLlm.Errors;

/// <summary>
/// The safety net behind <see cref="Providers.Http.ProviderHttpHandler"/>: whatever an SDK throws
/// (its own exception types, a wrapped one of ours, a JSON error), the caller gets a unified exception.
/// </summary>
internal static class ExceptionTranslator
{
    public static LiteLlmException Translate(Exception exception, string provider, string? model, string? secret)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is LiteLlmException ours)
            {
                return ours;
            }
        }

        var details = new ProviderErrorDetails(provider, model, null, SecretRedactor.Redact(exception.Message, secret));
        return exception switch
        {
            ClientResultException { Status: > 0 } cre => ErrorMapper.FromResponse(
                provider, model, cre.Status, SafeContent(cre), null, secret),
            HttpRequestException { StatusCode: { } status } => ErrorMapper.Classify(details with { StatusCode = (int)status }),
            HttpRequestException or IOException or ClientResultException => new ApiConnectionException(details, exception),
            TimeoutException => new ProviderTimeoutException(details, exception),
            JsonException or FormatException or InvalidDataException => new InternalServerException(
                details with { ProviderMessage = "The provider's answer could not be read: " + details.ProviderMessage }, exception),
            _ when StatusOf(exception) is int status => ErrorMapper.Classify(details with { StatusCode = status }),
            _ => new InternalServerException(details, exception),
        };
    }

    private static string? SafeContent(ClientResultException e)
    {
        try
        {
            return e.GetRawResponse()?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // SDK exception types we do not reference directly (OllamaSharp's) expose their
    // status under one of these names. Only reached on the failure path. Trimmed away (Native AOT keeps no property
    // metadata for types nothing reflects on), the lookup finds nothing and the error stays a 500: a less precise
    // status, never a crash.
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Best effort: a trimmed property reads as no status.")]
    private static int? StatusOf(Exception e)
    {
        foreach (var name in (string[])["StatusCode", "Status"])
        {
            var value = e.GetType().GetProperty(name)?.GetValue(e);
            switch (value)
            {
                case int i when i >= 400:
                    return i;
                case HttpStatusCode code when (int)code >= 400:
                    return (int)code;
            }
        }

        return null;
    }
}
