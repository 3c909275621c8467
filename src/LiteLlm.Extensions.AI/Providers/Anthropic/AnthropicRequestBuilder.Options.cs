using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>The option-driven parts of the request: sampling, thinking, tools and tool_choice.</summary>
internal static partial class AnthropicRequestBuilder
{
    /// <summary>Maps a reasoning effort to a thinking budget (LiteLLM's low/medium/high budgets); null when thinking stays off.</summary>
    internal static int? ThinkingBudget(ReasoningOptions? reasoning) => reasoning switch
    {
        null => null,
        { Effort: ReasoningEffort.None } => null,
        { Effort: ReasoningEffort.Low } => 1024,
        { Effort: ReasoningEffort.Medium or null } => 2048,
        { Effort: ReasoningEffort.High } => 4096,
        _ => 8192, // ExtraHigh and anything newer
    };

    private static void WriteSampling(Utf8JsonWriter w, ChatOptions options)
    {
        w.WriteNumberIfSet("temperature", options.Temperature);
        w.WriteNumberIfSet("top_p", options.TopP);
        w.WriteNumberIfSet("top_k", options.TopK);
        w.WriteStringsIfAny("stop_sequences", options.StopSequences);
    }

    private static string? WriteTools(Utf8JsonWriter w, ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        var jsonFormat = options?.ResponseFormat is ChatResponseFormatJson { Schema: { ValueKind: JsonValueKind.Object } schema } json
            && IsObjectSchema(schema)
            ? (Name: string.IsNullOrEmpty(json.SchemaName) ? DefaultJsonToolName : json.SchemaName, json.SchemaDescription, Schema: schema)
            : default;
        var jsonToolName = jsonFormat.Name;
        if (functions.Count == 0 && jsonToolName is null)
        {
            return null;
        }

        w.WriteStartArray("tools");
        foreach (var function in functions)
        {
            WriteTool(w, function.Name, function.Description, function.JsonSchema);
        }

        if (jsonToolName is not null)
        {
            WriteTool(w, jsonToolName, jsonFormat.SchemaDescription ?? "Respond with a JSON object that follows this schema.", jsonFormat.Schema);
        }

        w.WriteEndArray();

        if (jsonToolName is not null)
        {
            w.WriteStartObject("tool_choice");
            w.WriteString("type", "tool");
            w.WriteString("name", jsonToolName);
            w.WriteEndObject();
            return jsonToolName;
        }

        var disableParallel = options!.AllowMultipleToolCalls == false;
        var mode = options.ToolMode;
        if (mode is null && !disableParallel)
        {
            return null;
        }

        w.WriteStartObject("tool_choice");
        switch (mode)
        {
            case NoneChatToolMode:
                w.WriteString("type", "none");
                disableParallel = false; // not accepted with "none"
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                w.WriteString("type", "tool");
                w.WriteString("name", name);
                break;
            case RequiredChatToolMode:
                w.WriteString("type", "any");
                break;
            default:
                w.WriteString("type", "auto");
                break;
        }

        if (disableParallel)
        {
            w.WriteBoolean("disable_parallel_tool_use", true);
        }

        w.WriteEndObject();
        return null;
    }

    private static void WriteTool(Utf8JsonWriter w, string name, string? description, JsonElement schema)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        if (!string.IsNullOrEmpty(description))
        {
            w.WriteString("description", description);
        }

        w.WritePropertyName("input_schema");
        if (schema.ValueKind == JsonValueKind.Object)
        {
            schema.WriteTo(w);
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("type", "object");
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    // Anthropic's input_schema must describe an object; MEAI's structured output already wraps other types.
    private static bool IsObjectSchema(JsonElement schema)
        => !schema.TryGetProperty("type", out var type) || (type.ValueKind == JsonValueKind.String && type.ValueEquals("object"));
}
