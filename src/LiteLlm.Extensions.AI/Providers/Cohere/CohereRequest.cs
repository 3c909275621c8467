using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>Translates a Microsoft.Extensions.AI conversation into a Cohere v2 <c>/v2/chat</c> body.</summary>
/// <remarks>
/// Reasoning text on an assistant turn that calls tools goes back as that turn's <c>tool_plan</c>
/// (which is where it came from); other reasoning text is not sent.
/// </remarks>
internal static class CohereRequest
{
    public static JsonObject Build(string model, IList<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var wire = new JsonArray();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            wire.AddNode(new JsonObject { ["role"] = "system", ["content"] = instructions });
        }

        foreach (var message in messages)
        {
            AddMessage(wire, message);
        }

        var body = new JsonObject { ["model"] = model, ["messages"] = wire };
        if (stream)
        {
            body["stream"] = true;
        }

        AddTools(body, options);
        if (options is not null)
        {
            body.SetIfSet("max_tokens", options.MaxOutputTokens);
            body.SetIfSet("temperature", options.Temperature);
            body.SetIfSet("p", options.TopP);
            body.SetIfSet("k", options.TopK);
            body.SetIfSet("seed", options.Seed);
            body.SetIfSet("frequency_penalty", options.FrequencyPenalty);
            body.SetIfSet("presence_penalty", options.PresencePenalty);
            if (options.StopSequences is { Count: > 0 } stops)
            {
                body["stop_sequences"] = new JsonArray([.. stops.Select(s => (JsonNode?)s)]);
            }

            if (options.ResponseFormat is ChatResponseFormatJson json)
            {
                var format = new JsonObject { ["type"] = "json_object" };
                if (json.Schema is { ValueKind: JsonValueKind.Object } schema)
                {
                    format["json_schema"] = JsonNode.Parse(schema.GetRawText());
                }

                body["response_format"] = format;
            }
        }

        return body;
    }

    private static void AddMessage(JsonArray wire, ChatMessage message)
    {
        var texts = message.Contents.OfType<TextContent>().Where(t => t.Text.Length > 0).Select(t => t.Text).ToList();
        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (message.Role == ChatRole.System)
        {
            wire.AddNode(new JsonObject { ["role"] = "system", ["content"] = string.Concat(texts) });
        }
        else if (message.Role == ChatRole.Assistant)
        {
            if (texts.Count > 0 || calls.Count > 0)
            {
                var assistant = new JsonObject { ["role"] = "assistant" };
                if (texts.Count > 0)
                {
                    assistant["content"] = string.Concat(texts);
                }

                if (calls.Count > 0)
                {
                    var plan = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(r => r.Text));
                    if (plan.Length > 0)
                    {
                        assistant["tool_plan"] = plan;
                    }

                    assistant["tool_calls"] = new JsonArray([.. calls.Select(ToolCall)]);
                }

                wire.AddNode(assistant);
            }
        }
        else if (message.Role != ChatRole.Tool)
        {
            var blocks = UserBlocks(message);
            if (blocks.Count > 0)
            {
                // Plain text stays a string, as the API's own examples send it.
                wire.AddNode(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = blocks.All(b => b?["type"]?.GetValue<string>() == "text") ? string.Concat(texts) : blocks,
                });
            }
        }

        foreach (var result in message.Contents.OfType<FunctionResultContent>())
        {
            wire.AddNode(new JsonObject { ["role"] = "tool", ["tool_call_id"] = result.CallId, ["content"] = ToolJson.ResultText(result) });
        }
    }

    private static JsonArray UserBlocks(ChatMessage message)
    {
        var blocks = new JsonArray();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    blocks.AddNode(new JsonObject { ["type"] = "text", ["text"] = text.Text });
                    break;
                case DataContent data when data.HasTopLevelMediaType("image"):
                    blocks.AddNode(Image(data.Uri));
                    break;
                case UriContent uri when uri.HasTopLevelMediaType("image"):
                    blocks.AddNode(Image(uri.Uri.ToString()));
                    break;
            }
        }

        return blocks;

        static JsonObject Image(string url) => new() { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } };
    }

    private static JsonObject ToolCall(FunctionCallContent call) => new()
    {
        ["id"] = call.CallId,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = ToolJson.Arguments(call).ToJsonString() },
    };

    private static void AddTools(JsonObject body, ChatOptions? options)
    {
        var declarations = ToolJson.Declarations(options).ToList();
        if (options?.ToolMode is RequiredChatToolMode { RequiredFunctionName: { } required })
        {
            // Cohere cannot name the tool to call: offer only that one and require a call.
            declarations = [.. declarations.Where(d => d.Name == required)];
        }

        if (declarations.Count == 0)
        {
            return;
        }

        body["tools"] = new JsonArray([.. declarations.Select(f =>
        {
            var function = new JsonObject { ["name"] = f.Name };
            if (!string.IsNullOrEmpty(f.Description))
            {
                function["description"] = f.Description;
            }

            function["parameters"] = ToolJson.Parameters(f);
            return (JsonNode)new JsonObject { ["type"] = "function", ["function"] = function };
        })]);

        switch (options?.ToolMode)
        {
            case RequiredChatToolMode:
                body["tool_choice"] = "REQUIRED";
                break;
            case NoneChatToolMode:
                body["tool_choice"] = "NONE";
                break;
        }
    }

}
