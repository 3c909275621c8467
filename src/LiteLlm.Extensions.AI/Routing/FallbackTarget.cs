using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>
/// One fallback: a model group (or alias, or a model a wildcard group serves) to try when the request's own group
/// fails, optionally with its own messages — LiteLLM's <c>{"model": "claude", "messages": [...]}</c> form.
/// </summary>
/// <param name="Model">The model group, alias or wildcard-served model to fall back to.</param>
/// <param name="Messages">The messages sent to it instead of the caller's, or <see langword="null"/> to send the caller's.</param>
public sealed record FallbackTarget(string Model, IReadOnlyList<ChatMessage>? Messages = null);
