using System.Text.Json;
using System.Text.Json.Serialization;

#pragma warning disable CA2227
#pragma warning disable CA1002

namespace LiteLlm.Gateway.Protocol.Anthropic;

// The Anthropic Messages wire shapes served at /v1/messages (the request is read from its JSON; these are the typed views).

internal sealed class AnthropicRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }

    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }

    [JsonPropertyName("messages")] public List<AnthropicMessageDto>? Messages { get; set; }

    [JsonPropertyName("system")] public JsonElement? System { get; set; }

    [JsonPropertyName("stop_sequences")] public List<string>? StopSequences { get; set; }

    [JsonPropertyName("temperature")] public float? Temperature { get; set; }

    [JsonPropertyName("top_p")] public float? TopP { get; set; }

    [JsonPropertyName("top_k")] public int? TopK { get; set; }

    [JsonPropertyName("metadata")] public AnthropicMetadataDto? Metadata { get; set; }

    [JsonPropertyName("tools")] public List<AnthropicToolDto>? Tools { get; set; }

    [JsonPropertyName("tool_choice")] public AnthropicToolChoiceDto? ToolChoice { get; set; }

    [JsonPropertyName("stream")] public bool? Stream { get; set; }

    [JsonPropertyName("thinking")] public AnthropicThinkingDto? Thinking { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class AnthropicThinkingDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("budget_tokens")] public int? BudgetTokens { get; set; }
}

internal sealed class AnthropicMessageDto
{
    [JsonPropertyName("role")] public string? Role { get; set; }

    [JsonPropertyName("content")] public JsonElement? Content { get; set; }
}

internal sealed class AnthropicMetadataDto
{
    [JsonPropertyName("user_id")] public string? UserId { get; set; }
}

internal sealed class AnthropicToolDto
{
    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("description")] public string? Description { get; set; }

    [JsonPropertyName("input_schema")] public JsonElement? InputSchema { get; set; }

    [JsonPropertyName("type")] public string? Type { get; set; }
}

internal sealed class AnthropicToolChoiceDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("disable_parallel_tool_use")] public bool? DisableParallelToolUse { get; set; }
}

internal sealed class AnthropicResponse
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    [JsonPropertyName("type")] public string Type { get; set; } = "message";

    [JsonPropertyName("role")] public string Role { get; set; } = "assistant";

    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("content")] public required List<AnthropicBlockDto> Content { get; set; }

    [JsonPropertyName("stop_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? StopReason { get; set; }

    [JsonPropertyName("stop_sequence")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? StopSequence { get; set; }

    [JsonPropertyName("usage")] public required AnthropicUsageDto Usage { get; set; }
}

internal sealed class AnthropicBlockDto
{
    [JsonPropertyName("type")] public required string Type { get; set; }

    [JsonPropertyName("text")] public string? Text { get; set; }

    [JsonPropertyName("id")] public string? Id { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("input")] public JsonElement? Input { get; set; }

    [JsonPropertyName("thinking")] public string? Thinking { get; set; }

    [JsonPropertyName("signature")] public string? Signature { get; set; }

    [JsonPropertyName("data")] public string? Data { get; set; }
}

internal sealed class AnthropicUsageDto
{
    [JsonPropertyName("input_tokens")] public long InputTokens { get; set; }

    [JsonPropertyName("output_tokens")] public long OutputTokens { get; set; }

    [JsonPropertyName("cache_creation_input_tokens")] public long? CacheCreationInputTokens { get; set; }

    [JsonPropertyName("cache_read_input_tokens")] public long? CacheReadInputTokens { get; set; }
}

internal sealed class AnthropicStreamEvent
{
    [JsonPropertyName("type")] public required string Type { get; set; }

    [JsonPropertyName("message")] public AnthropicResponse? Message { get; set; }

    [JsonPropertyName("index")] public int? Index { get; set; }

    [JsonPropertyName("content_block")] public AnthropicBlockDto? ContentBlock { get; set; }

    [JsonPropertyName("delta")] public AnthropicDeltaDto? Delta { get; set; }

    [JsonPropertyName("usage")] public AnthropicUsageDto? Usage { get; set; }

    [JsonPropertyName("error")] public AnthropicErrorBody? Error { get; set; }

    /// <summary>An upstream event's other fields, written as they came (the same-protocol stream: only <c>type</c> is ours).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Upstream { get; set; }
}

internal sealed class AnthropicDeltaDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("text")] public string? Text { get; set; }

    [JsonPropertyName("partial_json")] public string? PartialJson { get; set; }

    [JsonPropertyName("thinking")] public string? Thinking { get; set; }

    [JsonPropertyName("signature")] public string? Signature { get; set; }

    [JsonPropertyName("stop_reason")] public string? StopReason { get; set; }

    [JsonPropertyName("stop_sequence")] public string? StopSequence { get; set; }
}

internal sealed class AnthropicErrorResponse
{
    [JsonPropertyName("type")] public string Type { get; set; } = "error";

    [JsonPropertyName("error")] public required AnthropicErrorBody Error { get; set; }
}

internal sealed class AnthropicErrorBody
{
    [JsonPropertyName("type")] public required string Type { get; set; }

    [JsonPropertyName("message")] public required string Message { get; set; }
}
