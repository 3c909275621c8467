using System.Globalization;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Limits;

/// <summary>A gate that can say how many output tokens a caller's remaining budget pays for (the key gate).</summary>
internal interface IBudgetAwareGate
{
    /// <summary>Gets the output tokens the caller's remaining budgets pay for after the prompt, or null when no budget bounds it.</summary>
    ValueTask<long?> AffordableOutputTokensAsync(CallerIdentity caller, string modelGroup, int promptTokens, CancellationToken cancellationToken);
}

/// <summary>
/// Budget-aware admission (<c>router_settings.budget_aware_max_tokens</c>): a request whose <c>max_tokens</c> the
/// remaining budget cannot pay for is sent with <c>max_tokens</c> lowered to what it can (the response says so in
/// <c>x-litellm-max-tokens-adjusted</c>), unless that is below the floor, when it is refused.
/// </summary>
internal static class BudgetAwareAdmission
{
    /// <summary>The response header carrying the lowered <c>max_tokens</c>.</summary>
    public const string Header = "x-litellm-max-tokens-adjusted";

    /// <summary>Lowers <paramref name="options"/>' <c>MaxOutputTokens</c> when the caller's budget cannot pay for it; throws the refusal below the floor.</summary>
    public static async Task ApplyAsync(IRequestGate gate, LiteLlmRuntime runtime, InferenceCall call, string model, IEnumerable<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var settings = runtime.Config.Router;
        if (!settings.BudgetAwareMaxTokens || options.MaxOutputTokens is not { } requested || gate is not IBudgetAwareGate aware)
        {
            return;
        }

        var prompt = InferenceService.EstimateTokens(messages, null);
        if (await aware.AffordableOutputTokensAsync(call.Caller, model, prompt, cancellationToken).ConfigureAwait(false) is not { } affordable || affordable >= requested)
        {
            return;
        }

        if (affordable < settings.BudgetAwareMinTokens)
        {
            throw new GatewayRequestException(new GatewayError(400,
                $"Budget has been exceeded! The remaining budget pays for {affordable} output tokens, fewer than the minimum of {settings.BudgetAwareMinTokens} (budget_aware_min_tokens); max_tokens was {requested}.",
                "budget_exceeded", "budget_exceeded"));
        }

        options.MaxOutputTokens = (int)affordable;
        call.Context.Response.Headers[Header] = affordable.ToString(CultureInfo.InvariantCulture);
    }
}
