namespace LiteLlm.Models;

/// <summary>
/// Capability names as the catalog stores them: LiteLLM's <c>supports_*</c> flags without the prefix.
/// Use them with <see cref="ModelInfo.Supports(string)"/> and <see cref="ModelCatalog.Supports(string, string)"/>.
/// </summary>
public static class ModelCapabilities
{
    public const string FunctionCalling = "function_calling";
    public const string ParallelFunctionCalling = "parallel_function_calling";
    public const string ToolChoice = "tool_choice";
    public const string Vision = "vision";
    public const string ResponseSchema = "response_schema";
    public const string SystemMessages = "system_messages";
    public const string PromptCaching = "prompt_caching";
    public const string Reasoning = "reasoning";
    public const string PdfInput = "pdf_input";
    public const string AudioInput = "audio_input";
    public const string AudioOutput = "audio_output";
    public const string VideoInput = "video_input";
    public const string WebSearch = "web_search";
    public const string ComputerUse = "computer_use";
}
