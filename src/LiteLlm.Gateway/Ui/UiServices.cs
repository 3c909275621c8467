using LiteLlm.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LiteLlm.Gateway.Ui;

/// <summary>Registers the admin UI (<c>/ui</c>) when a master key is set and <c>general_settings.ui</c> is not <c>false</c>.</summary>
internal static class UiServices
{
    /// <summary>The cookie that carries the anti-forgery token's pair (the session cookie is <see cref="UiSessions.CookieName"/>).</summary>
    public const string AntiforgeryCookie = "litellm_ui_af";

    /// <summary>Gets whether <paramref name="config"/> turns the UI on: a master key, and <c>ui</c> not set to false.</summary>
    public static bool IsEnabled(LiteLlmConfig config)
    {
        if (string.IsNullOrEmpty(config.General.MasterKey))
        {
            return false;
        }

        return !config.General.Other.TryGetValue("ui", out var value) || value switch
        {
            bool b => b,
            string s => !string.Equals(s.Trim(), "false", StringComparison.OrdinalIgnoreCase),
            _ => true,
        };
    }

    /// <summary>Adds the UI's services (sessions, anti-forgery) only when it is on, so a gateway without it pays nothing.</summary>
    public static IServiceCollection AddGatewayUi(this IServiceCollection services, LiteLlmConfig config)
    {
        if (!IsEnabled(config))
        {
            return services;
        }

        services.TryAddSingleton<UiSessions>();
        services.TryAddSingleton<UiApi>();

        // Sessions live in this process's memory, so the anti-forgery keys may too: nothing is written to a (possibly
        // read-only) disk, and a restart signs everyone out and invalidates their tokens together.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.Path = UiEndpoints.Root;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__RequestVerificationToken";
            o.HeaderName = null;
        });
        return services;
    }

    /// <summary>Checks the form's anti-forgery token; false (and a 400 page) when it is missing or wrong.</summary>
    public static async Task<bool> ValidFormAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false; // not a form post at all
        }
    }
}
