using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// Writes the top-level fields of a caller's own Chat Completions body (the same-protocol path of
/// <see cref="OpenAIChatRequest"/>): each field as it came, unless the pipeline dropped it, it is a library setting, or
/// the provider client owns it (<c>model</c>, <c>messages</c>, <c>stream</c>, <c>stream_options</c>); then what the
/// options add that the body lacks.
/// </summary>
internal static class OpenAIRawRequest
{
    public static void WriteFields(Utf8JsonWriter w, JsonElement body, ChatOptions? options, bool legacyMaxTokens)
    {
        var wroteMaxTokens = false;
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            switch (name)
            {
                case "model" or "messages" or "stream" or "stream_options":
                    continue;
                case "max_tokens" or "max_completion_tokens":
                    // The caller's own field name is kept (reasoning models behind compatible hosts need max_completion_tokens);
                    // the value is the options' (a budget may have lowered it), and absent when it was dropped.
                    if (options?.MaxOutputTokens is { } limit && !wroteMaxTokens)
                    {
                        w.WriteNumber(name, limit);
                        wroteMaxTokens = true;
                    }

                    continue;
            }

            if (Kept(name, options))
            {
                property.WriteTo(w);
            }
        }

        if (options is null)
        {
            return;
        }

        if (!wroteMaxTokens && options.MaxOutputTokens is { } max)
        {
            w.WriteNumber(legacyMaxTokens ? "max_tokens" : "max_completion_tokens", max);
        }

        WriteMissing(w, body, options);
    }

    // Whether a field of the caller's body is still wanted: the MEAI-mapped ones while the options still carry them
    // (drop_params clears them), any other while the options' pass-through fields hold it (library settings and
    // gateway-only fields never do).
    private static bool Kept(string name, ChatOptions? o) => name switch
    {
        "temperature" => o?.Temperature is not null,
        "top_p" => o?.TopP is not null,
        "top_k" => o?.TopK is not null,
        "frequency_penalty" => o?.FrequencyPenalty is not null,
        "presence_penalty" => o?.PresencePenalty is not null,
        "seed" => o?.Seed is not null,
        "stop" => o?.StopSequences is { Count: > 0 },
        "response_format" => o?.ResponseFormat is not null,
        "tools" => o?.Tools is { Count: > 0 },
        "tool_choice" => o?.ToolMode is not null,
        "parallel_tool_calls" => o?.AllowMultipleToolCalls is not null,
        "reasoning_effort" => o?.Reasoning?.Effort is not null,
        "n" => true, // n = 1 is not a pass-through field (see the gateway's parser); n > 1 is, and OpenAI takes both
        _ => o?.AdditionalProperties is { } extra && extra.ContainsKey(name) && !CallSettings.IsReserved(name),
    };

    /// <summary>
    /// Code moving from Microsoft.Extensions.AI.OpenAI sets <see cref="ChatOptions.RawRepresentationFactory"/> to return the
    /// OpenAI SDK's <c>ChatCompletionOptions</c> (<c>store</c>, <c>metadata</c>, <c>logprobs</c>, <c>user</c>, …): its fields are
    /// written where the MEAI options did not already write one.
    /// </summary>
    public static void WriteSdkOptions(Utf8JsonWriter w, ChatOptions options)
    {
        if (options.RawRepresentationFactory?.Invoke(null!) is not global::OpenAI.Chat.ChatCompletionOptions sdk)
        {
            return;
        }

        var json = System.ClientModel.Primitives.ModelReaderWriter.Write(sdk, System.ClientModel.Primitives.ModelReaderWriterOptions.Json, global::OpenAI.OpenAIContext.Default);
        using var document = JsonDocument.Parse(json.ToMemory());
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name is "model" or "messages" or "stream" or "stream_options" || Written(property.Name, options))
            {
                continue;
            }

            property.WriteTo(w);
        }
    }

    private static bool Written(string name, ChatOptions o)
        => (name is "max_tokens" or "max_completion_tokens" && o.MaxOutputTokens is not null)
        || (name == "reasoning_effort" && o.Reasoning?.Effort is not null)
        || (name is "tools" or "tool_choice" or "parallel_tool_calls" && o.Tools is { Count: > 0 })
        || (name == "response_format" && o.ResponseFormat is not null)
        || Kept(name, o) && name is "temperature" or "top_p" or "frequency_penalty" or "presence_penalty" or "seed" or "stop"
        || o.AdditionalProperties?.ContainsKey(name) == true;

    // Values the pipeline set that the caller did not send (a deployment's defaults), written from the options.
    private static void WriteMissing(Utf8JsonWriter w, JsonElement body, ChatOptions o)
    {
        if (o.Temperature is { } temperature && !body.TryGetProperty("temperature", out _))
        {
            w.WriteNumber("temperature", temperature);
        }

        if (o.TopP is { } topP && !body.TryGetProperty("top_p", out _))
        {
            w.WriteNumber("top_p", topP);
        }

        if (o.FrequencyPenalty is { } frequency && !body.TryGetProperty("frequency_penalty", out _))
        {
            w.WriteNumber("frequency_penalty", frequency);
        }

        if (o.PresencePenalty is { } presence && !body.TryGetProperty("presence_penalty", out _))
        {
            w.WriteNumber("presence_penalty", presence);
        }

        if (o.Seed is { } seed && !body.TryGetProperty("seed", out _))
        {
            w.WriteNumber("seed", seed);
        }

        if (o.StopSequences is { Count: > 0 } && !body.TryGetProperty("stop", out _))
        {
            w.WriteStringsIfAny("stop", o.StopSequences);
        }

        OpenAIChatRequest.WriteExtras(w, o, body);
    }
}
