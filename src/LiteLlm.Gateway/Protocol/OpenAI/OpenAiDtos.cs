using System.Text.Json;
using System.Text.Json.Serialization;

#pragma warning disable CA2227 // DTOs: settable collections for the serializer
#pragma warning disable CA1002 // DTOs: List<T> keeps the source-generated serializer simple
#pragma warning disable CA1056 // DTOs: URLs are strings on the wire

namespace LiteLlm.Gateway.Protocol.OpenAI;

// The OpenAI wire shapes the gateway reads and writes. Polymorphic request fields (content, stop,
// tool_choice, response_format, input) stay JsonElement and are interpreted by the parsers, so that a
// wrong type becomes a 400 naming the field instead of a serializer exception.

internal sealed class ChatCompletionRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }

    [JsonPropertyName("messages")] public List<ChatMessageDto>? Messages { get; set; }

    [JsonPropertyName("tools")] public List<ToolDto>? Tools { get; set; }

    [JsonPropertyName("tool_choice")] public JsonElement? ToolChoice { get; set; }

    [JsonPropertyName("parallel_tool_calls")] public bool? ParallelToolCalls { get; set; }

    [JsonPropertyName("response_format")] public JsonElement? ResponseFormat { get; set; }

    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }

    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; set; }

    [JsonPropertyName("temperature")] public float? Temperature { get; set; }

    [JsonPropertyName("top_p")] public float? TopP { get; set; }

    [JsonPropertyName("frequency_penalty")] public float? FrequencyPenalty { get; set; }

    [JsonPropertyName("presence_penalty")] public float? PresencePenalty { get; set; }

    [JsonPropertyName("n")] public int? N { get; set; }

    [JsonPropertyName("stop")] public JsonElement? Stop { get; set; }

    [JsonPropertyName("seed")] public long? Seed { get; set; }

    [JsonPropertyName("stream")] public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")] public StreamOptionsDto? StreamOptions { get; set; }

    [JsonPropertyName("user")] public string? User { get; set; }

    [JsonPropertyName("metadata")] public Dictionary<string, JsonElement>? Metadata { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class StreamOptionsDto
{
    [JsonPropertyName("include_usage")] public bool? IncludeUsage { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class ChatMessageDto
{
    [JsonPropertyName("role")] public string? Role { get; set; }

    [JsonPropertyName("content")] public JsonElement? Content { get; set; }

    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("tool_calls")] public List<ToolCallDto>? ToolCalls { get; set; }

    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; set; }

    [JsonPropertyName("refusal")] public string? Refusal { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A tool call in a request's or an answer's message (<c>{id, type, function}</c>); a stream's delta adds an index.</summary>
internal sealed class ToolCallDto
{
    [JsonPropertyName("id")] public string? Id { get; set; }

    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("function")] public FunctionCallDto? Function { get; set; }
}

internal sealed class FunctionCallDto
{
    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("arguments")] public string? Arguments { get; set; }
}

internal sealed class ToolDto
{
    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("function")] public FunctionDefinitionDto? Function { get; set; }
}

internal sealed class FunctionDefinitionDto
{
    [JsonPropertyName("name")] public string? Name { get; set; }

    [JsonPropertyName("description")] public string? Description { get; set; }

    [JsonPropertyName("parameters")] public JsonElement? Parameters { get; set; }

    [JsonPropertyName("strict")] public bool? Strict { get; set; }
}

// ---- responses ----

internal sealed class ChatCompletionResponse
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion";

    [JsonPropertyName("created")] public long Created { get; set; }

    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("choices")] public required List<ChatChoiceDto> Choices { get; set; }

    [JsonPropertyName("usage")] public UsageDto? Usage { get; set; }

    [JsonPropertyName("system_fingerprint")] public string? SystemFingerprint { get; set; }
}

internal sealed class ChatChoiceDto
{
    [JsonPropertyName("index")] public int Index { get; set; }

    [JsonPropertyName("message")] public required ResponseMessageDto Message { get; set; }

    [JsonPropertyName("logprobs")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Logprobs { get; set; }

    [JsonPropertyName("finish_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? FinishReason { get; set; }
}

internal sealed class ResponseMessageDto
{
    [JsonPropertyName("role")] public string Role { get; set; } = "assistant";

    [JsonPropertyName("content")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? Content { get; set; }

    [JsonPropertyName("refusal")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? Refusal { get; set; }

    [JsonPropertyName("reasoning_content")] public string? ReasoningContent { get; set; }

    [JsonPropertyName("thinking_blocks")] public List<ThinkingBlockDto>? ThinkingBlocks { get; set; }

    [JsonPropertyName("tool_calls")] public List<ToolCallDto>? ToolCalls { get; set; }
}

/// <summary>LiteLLM's <c>thinking_blocks</c> entry: Anthropic's thinking (with its signature) or a redacted block.</summary>
internal sealed class ThinkingBlockDto
{
    [JsonPropertyName("type")] public string Type { get; set; } = "thinking";

    [JsonPropertyName("thinking")] public string? Thinking { get; set; }

    [JsonPropertyName("signature")] public string? Signature { get; set; }

    [JsonPropertyName("data")] public string? Data { get; set; }
}

internal sealed class UsageDto
{
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; set; }

    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; set; }

    [JsonPropertyName("total_tokens")] public long TotalTokens { get; set; }

    [JsonPropertyName("prompt_tokens_details")] public PromptTokensDetailsDto? PromptTokensDetails { get; set; }

    [JsonPropertyName("completion_tokens_details")] public CompletionTokensDetailsDto? CompletionTokensDetails { get; set; }
}

internal sealed class PromptTokensDetailsDto
{
    [JsonPropertyName("cached_tokens")] public long CachedTokens { get; set; }
}

internal sealed class CompletionTokensDetailsDto
{
    [JsonPropertyName("reasoning_tokens")] public long ReasoningTokens { get; set; }
}

internal sealed class ChatCompletionChunk
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    [JsonPropertyName("object")] public string Object { get; set; } = "chat.completion.chunk";

    [JsonPropertyName("created")] public long Created { get; set; }

    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("choices")] public required List<ChunkChoiceDto> Choices { get; set; }

    [JsonPropertyName("usage")] public UsageDto? Usage { get; set; }
}

internal sealed class ChunkChoiceDto
{
    [JsonPropertyName("index")] public int Index { get; set; }

    [JsonPropertyName("delta")] public required ChunkDeltaDto Delta { get; set; }

    [JsonPropertyName("logprobs")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Logprobs { get; set; }

    [JsonPropertyName("finish_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? FinishReason { get; set; }
}

internal sealed class ChunkDeltaDto
{
    [JsonPropertyName("role")] public string? Role { get; set; }

    [JsonPropertyName("content")] public string? Content { get; set; }

    [JsonPropertyName("reasoning_content")] public string? ReasoningContent { get; set; }

    [JsonPropertyName("thinking_blocks")] public List<ThinkingBlockDto>? ThinkingBlocks { get; set; }

    [JsonPropertyName("tool_calls")] public List<ToolCallDeltaDto>? ToolCalls { get; set; }
}

internal sealed class ToolCallDeltaDto
{
    [JsonPropertyName("index")] public int Index { get; set; }

    [JsonPropertyName("id")] public string? Id { get; set; }

    [JsonPropertyName("type")] public string? Type { get; set; }

    [JsonPropertyName("function")] public FunctionCallDto? Function { get; set; }
}

// ---- legacy completions ----

internal sealed class CompletionRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }

    [JsonPropertyName("prompt")] public JsonElement? Prompt { get; set; }

    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }

    [JsonPropertyName("temperature")] public float? Temperature { get; set; }

    [JsonPropertyName("top_p")] public float? TopP { get; set; }

    [JsonPropertyName("n")] public int? N { get; set; }

    [JsonPropertyName("stop")] public JsonElement? Stop { get; set; }

    [JsonPropertyName("seed")] public long? Seed { get; set; }

    [JsonPropertyName("stream")] public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")] public StreamOptionsDto? StreamOptions { get; set; }

    [JsonPropertyName("user")] public string? User { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class TextCompletionResponse
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    [JsonPropertyName("object")] public string Object { get; set; } = "text_completion";

    [JsonPropertyName("created")] public long Created { get; set; }

    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("choices")] public required List<TextChoiceDto> Choices { get; set; }

    [JsonPropertyName("usage")] public UsageDto? Usage { get; set; }
}

internal sealed class TextChoiceDto
{
    [JsonPropertyName("text")] public string Text { get; set; } = string.Empty;

    [JsonPropertyName("index")] public int Index { get; set; }

    [JsonPropertyName("logprobs")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Logprobs { get; set; }

    [JsonPropertyName("finish_reason")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? FinishReason { get; set; }
}

// ---- embeddings ----

internal sealed class EmbeddingRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }

    [JsonPropertyName("input")] public JsonElement? Input { get; set; }

    [JsonPropertyName("encoding_format")] public string? EncodingFormat { get; set; }

    [JsonPropertyName("dimensions")] public int? Dimensions { get; set; }

    [JsonPropertyName("user")] public string? User { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class EmbeddingResponse<T>
{
    [JsonPropertyName("object")] public string Object { get; set; } = "list";

    [JsonPropertyName("data")] public required List<EmbeddingItem<T>> Data { get; set; }

    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("usage")] public required EmbeddingUsageDto Usage { get; set; }
}

internal sealed class EmbeddingItem<T>
{
    [JsonPropertyName("object")] public string Object { get; set; } = "embedding";

    [JsonPropertyName("index")] public int Index { get; set; }

    [JsonPropertyName("embedding")] public required T Embedding { get; set; }
}

internal sealed class EmbeddingUsageDto
{
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; set; }

    [JsonPropertyName("total_tokens")] public long TotalTokens { get; set; }
}

// ---- models ----

internal sealed class ModelListResponse
{
    [JsonPropertyName("object")] public string Object { get; set; } = "list";

    [JsonPropertyName("data")] public required List<ModelDto> Data { get; set; }
}

internal sealed class ModelDto
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    [JsonPropertyName("object")] public string Object { get; set; } = "model";

    [JsonPropertyName("created")] public long Created { get; set; }

    [JsonPropertyName("owned_by")] public string OwnedBy { get; set; } = "litellm";
}

internal sealed class ModelInfoResponse
{
    [JsonPropertyName("data")] public required List<ModelInfoEntry> Data { get; set; }
}

internal sealed class ModelInfoEntry
{
    [JsonPropertyName("model_name")] public required string ModelName { get; set; }

    [JsonPropertyName("litellm_params")] public required ModelInfoParams LitellmParams { get; set; }

    [JsonPropertyName("model_info")] public required ModelInfoDetails ModelInfo { get; set; }
}

internal sealed class ModelInfoParams
{
    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("api_base")] public string? ApiBase { get; set; }

    [JsonPropertyName("rpm")] public int? Rpm { get; set; }

    [JsonPropertyName("tpm")] public int? Tpm { get; set; }
}

internal sealed class ModelInfoDetails
{
    [JsonPropertyName("id")] public required string Id { get; set; }

    /// <summary>Gets or sets whether the deployment was added through <c>/model/new</c> (LiteLLM's <c>db_model</c>).</summary>
    [JsonPropertyName("db_model")] public bool DbModel { get; set; }

    [JsonPropertyName("litellm_provider")] public string? LitellmProvider { get; set; }

    [JsonPropertyName("mode")] public string? Mode { get; set; }

    [JsonPropertyName("max_input_tokens")] public int? MaxInputTokens { get; set; }

    [JsonPropertyName("max_output_tokens")] public int? MaxOutputTokens { get; set; }

    [JsonPropertyName("input_cost_per_token")] public decimal? InputCostPerToken { get; set; }

    [JsonPropertyName("output_cost_per_token")] public decimal? OutputCostPerToken { get; set; }

    [JsonPropertyName("supports_function_calling")] public bool? SupportsFunctionCalling { get; set; }

    [JsonPropertyName("supports_vision")] public bool? SupportsVision { get; set; }
}

// ---- errors ----

internal sealed class ErrorResponse
{
    [JsonPropertyName("error")] public required ErrorBody Error { get; set; }
}

internal sealed class ErrorBody
{
    [JsonPropertyName("message")] public required string Message { get; set; }

    [JsonPropertyName("type")] public required string Type { get; set; }

    [JsonPropertyName("param")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? Param { get; set; }

    [JsonPropertyName("code")] [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public string? Code { get; set; }
}

// ---- health ----

internal sealed class HealthResponse
{
    [JsonPropertyName("healthy_endpoints")] public required List<HealthEndpointDto> HealthyEndpoints { get; set; }

    [JsonPropertyName("unhealthy_endpoints")] public required List<HealthEndpointDto> UnhealthyEndpoints { get; set; }

    [JsonPropertyName("healthy_count")] public int HealthyCount { get; set; }

    [JsonPropertyName("unhealthy_count")] public int UnhealthyCount { get; set; }
}

internal sealed class HealthEndpointDto
{
    [JsonPropertyName("model")] public required string Model { get; set; }

    [JsonPropertyName("model_group")] public required string ModelGroup { get; set; }

    [JsonPropertyName("model_id")] public required string ModelId { get; set; }

    [JsonPropertyName("latency_ms")] public double LatencyMs { get; set; }

    [JsonPropertyName("error")] public string? Error { get; set; }
}
