using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.Anthropic;

/// <summary>One content block of an Anthropic message → MEAI content (the block itself always travels in the message's JSON).</summary>
internal static class AnthropicBlockTranslator
{
    /// <summary>The <see cref="AIContent.AdditionalProperties"/> key marking a <c>redacted_thinking</c> block (the provider contract).</summary>
    public const string RedactedKey = "redacted";

    public static void Add(JsonElement block, string at, ChatRole role, AnthropicTarget target, List<AIContent> contents, List<AIContent> results)
    {
        var type = AnthropicRequestTranslator.Str(block, "type");
        switch (type)
        {
            case "text":
                contents.Add(new TextContent(AnthropicRequestTranslator.Str(block, "text") ?? string.Empty) { RawRepresentation = block });
                break;
            case "image":
                contents.Add(Image(block, at, target));
                break;
            case "tool_use" when role == ChatRole.Assistant:
                contents.Add(new FunctionCallContent(
                    AnthropicRequestTranslator.Str(block, "id") ?? throw GatewayErrors.Invalid($"{at}.id: Field required.", at + ".id"),
                    AnthropicRequestTranslator.Str(block, "name") ?? throw GatewayErrors.Invalid($"{at}.name: Field required.", at + ".name"),
                    Arguments(block))
                { RawRepresentation = block });
                break;
            case "tool_result" when role == ChatRole.User:
                var id = AnthropicRequestTranslator.Str(block, "tool_use_id") ?? throw GatewayErrors.Invalid($"{at}.tool_use_id: Field required.", at + ".tool_use_id");
                results.Add(new FunctionResultContent(id, ResultText(block, at, target)) { RawRepresentation = block });
                break;
            case "thinking" when role == ChatRole.Assistant:
                contents.Add(new TextReasoningContent(AnthropicRequestTranslator.Str(block, "thinking") ?? string.Empty)
                {
                    ProtectedData = AnthropicRequestTranslator.Str(block, "signature"),
                    RawRepresentation = block,
                });
                break;
            case "redacted_thinking" when role == ChatRole.Assistant:
                contents.Add(new TextReasoningContent(string.Empty)
                {
                    ProtectedData = AnthropicRequestTranslator.Str(block, "data"),
                    RawRepresentation = block,
                    AdditionalProperties = new() { [RedactedKey] = true },
                });
                break;
            case null:
                throw GatewayErrors.Invalid($"{at}.type: Field required.", at + ".type");
            default:
                // document, search_result, container_upload, server tool blocks and their results, and types added later:
                // Anthropic reads them from the caller's JSON; no other provider can.
                if (!target.AnthropicOnly)
                {
                    throw AnthropicRequestTranslator.Refused(at, $"a '{type}' block", target);
                }

                contents.Add(new AIContent { RawRepresentation = block });
                break;
        }
    }

    private static Dictionary<string, object?> Arguments(JsonElement block)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value;
            }
        }

        return arguments;
    }

    private static string ResultText(JsonElement block, string at, AnthropicTarget target)
    {
        if (!block.TryGetProperty("content", out var content))
        {
            return string.Empty;
        }

        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                var i = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (AnthropicRequestTranslator.Str(part, "type") == "text")
                    {
                        text.Append(AnthropicRequestTranslator.Str(part, "text"));
                    }
                    else if (!target.AnthropicOnly)
                    {
                        // A tool result is text everywhere else: an image or document in it cannot be sent.
                        throw AnthropicRequestTranslator.Refused($"{at}.content[{i}]", $"a '{AnthropicRequestTranslator.Str(part, "type")}' block in a tool_result", target);
                    }

                    i++;
                }

                return text.ToString();
            default:
                return string.Empty;
        }
    }

    private static AIContent Image(JsonElement block, string path, AnthropicTarget target)
    {
        if (!block.TryGetProperty("source", out var source))
        {
            throw GatewayErrors.Invalid($"{path}.source: Field required.", path + ".source");
        }

        switch (AnthropicRequestTranslator.Str(source, "type"))
        {
            case "base64":
                try
                {
                    return new DataContent(Convert.FromBase64String(AnthropicRequestTranslator.Str(source, "data") ?? string.Empty), AnthropicRequestTranslator.Str(source, "media_type") ?? "image/png")
                    {
                        RawRepresentation = block,
                    };
                }
                catch (FormatException)
                {
                    throw GatewayErrors.Invalid($"{path}.source.data is not valid base64.", path + ".source.data");
                }

            case "url" when Uri.TryCreate(AnthropicRequestTranslator.Str(source, "url"), UriKind.Absolute, out var uri):
                return new UriContent(uri, "image/*") { RawRepresentation = block };
            case not null when target.AnthropicOnly:
                return new AIContent { RawRepresentation = block }; // a Files API file_id and later sources: Anthropic reads the JSON
            default:
                throw GatewayErrors.Invalid($"{path}.source must be base64 or url.", path + ".source");
        }
    }
}
