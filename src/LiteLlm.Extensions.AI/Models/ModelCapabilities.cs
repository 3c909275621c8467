namespace LiteLlm.Models;

/// <summary>
/// Capability names as the catalog stores them: LiteLLM's <c>supports_*</c> flags without the prefix.
/// Use them with <see cref="ModelInfo.Supports(string)"/> and <see cref="ModelCatalog.Supports(string, string)"/>.
/// </summary>
public static class ModelCapabilities
{
    /// <summary>LiteLLM's <c>supports_function_calling</c>.</summary>
    public const string FunctionCalling = "function_calling";
    /// <summary>LiteLLM's <c>supports_parallel_function_calling</c>.</summary>
    public const string ParallelFunctionCalling = "parallel_function_calling";
    /// <summary>LiteLLM's <c>supports_tool_choice</c>.</summary>
    public const string ToolChoice = "tool_choice";
    /// <summary>LiteLLM's <c>supports_vision</c>.</summary>
    public const string Vision = "vision";
    /// <summary>LiteLLM's <c>supports_response_schema</c>.</summary>
    public const string ResponseSchema = "response_schema";
    /// <summary>LiteLLM's <c>supports_system_messages</c>.</summary>
    public const string SystemMessages = "system_messages";
    /// <summary>LiteLLM's <c>supports_prompt_caching</c>.</summary>
    public const string PromptCaching = "prompt_caching";
    /// <summary>LiteLLM's <c>supports_reasoning</c>.</summary>
    public const string Reasoning = "reasoning";
    /// <summary>LiteLLM's <c>supports_pdf_input</c>.</summary>
    public const string PdfInput = "pdf_input";
    /// <summary>LiteLLM's <c>supports_audio_input</c>.</summary>
    public const string AudioInput = "audio_input";
    /// <summary>LiteLLM's <c>supports_audio_output</c>.</summary>
    public const string AudioOutput = "audio_output";
    /// <summary>LiteLLM's <c>supports_video_input</c>.</summary>
    public const string VideoInput = "video_input";
    /// <summary>LiteLLM's <c>supports_web_search</c>.</summary>
    public const string WebSearch = "web_search";
    /// <summary>LiteLLM's <c>supports_computer_use</c>.</summary>
    public const string ComputerUse = "computer_use";
}
