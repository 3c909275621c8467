using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>Maps each provider's stop reasons onto OpenAI's finish reasons.</summary>
internal static class FinishReasons
{
    /// <param name="reason">The provider's reason.</param>
    /// <param name="hasToolCalls">Whether the answer holds tool calls: some providers (Ollama) say "stop" then.</param>
    public static ChatFinishReason? Normalize(ChatFinishReason? reason, bool hasToolCalls = false)
    {
        if (reason is not { } r)
        {
            return hasToolCalls ? ChatFinishReason.ToolCalls : null;
        }

        var normalized = r.Value.ToUpperInvariant() switch
        {
            "STOP" or "END_TURN" or "STOP_SEQUENCE" or "COMPLETE" or "FINISH" or "EOS" => ChatFinishReason.Stop,
            "LENGTH" or "MAX_TOKENS" or "MODEL_CONTEXT_WINDOW_EXCEEDED" => ChatFinishReason.Length,
            "TOOL_CALLS" or "TOOL_USE" or "TOOL_CALL" or "FUNCTION_CALL" => ChatFinishReason.ToolCalls,
            "CONTENT_FILTER" or "REFUSAL" or "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII"
                or "IMAGE_SAFETY" or "GUARDRAIL_INTERVENED" or "CONTENT_FILTERED" => ChatFinishReason.ContentFilter,
            _ => r,
        };
        return hasToolCalls && normalized == ChatFinishReason.Stop ? ChatFinishReason.ToolCalls : normalized;
    }
}
