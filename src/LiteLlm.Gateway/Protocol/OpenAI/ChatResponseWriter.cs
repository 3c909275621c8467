using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Protocol.OpenAI;

/// <summary>Writes MEAI responses as exact OpenAI chat completion shapes.</summary>
internal static class ChatResponseWriter
{
    private static readonly JsonWriterOptions RawWriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The provider's own Chat Completions answer with only <c>id</c> and <c>model</c> as the gateway presents them, when the
    /// answer came from an OpenAI-family provider (same protocol: every field and choice reaches the client); otherwise null.
    /// </summary>
    public static byte[]? ProviderJson(ChatResponse response, string callId, string model)
    {
        if (WireJson.As(response.RawRepresentation, WireFormat.OpenAIChat) is not { Json.ValueKind: JsonValueKind.Object } raw)
        {
            return null;
        }

        // One buffer and writer per thread, reset for each answer: only the finished bytes are allocated.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var w = t_writer ??= new Utf8JsonWriter(buffer, RawWriterOptions);
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        WriteRaw(w, raw.Json, ResponseId(response.ResponseId, callId, "chatcmpl-"), response.ModelId ?? model, stripUsage: false);
        w.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 1 << 20)
        {
            t_buffer = null; // a huge answer does not pin its buffer to the thread
            t_writer = null;
        }

        return bytes;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes a provider document with <c>id</c> and <c>model</c> replaced (added when absent); optionally without <c>usage</c>.</summary>
    public static void WriteRaw(Utf8JsonWriter w, JsonElement json, string id, string model, bool stripUsage)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        foreach (var property in json.EnumerateObject())
        {
            if (property.NameEquals("id") || property.NameEquals("model") || (stripUsage && property.NameEquals("usage")))
            {
                continue;
            }

            property.WriteTo(w);
        }

        w.WriteString("model", model);
        w.WriteEndObject();
    }

    public static ChatCompletionResponse ToCompletion(ChatResponse response, string callId, string model, TimeProvider? time = null)
    {
        string? text = null;
        string? reasoning = null;
        List<ThinkingBlockDto>? thinking = null;
        List<ToolCallDto>? toolCalls = null;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text += t.Text;
                        break;
                    case TextReasoningContent r:
                        reasoning += r.Text;
                        if (ThinkingBlock(r, emptyIsRedacted: true) is { } block)
                        {
                            (thinking ??= []).Add(block);
                        }

                        break;
                    case FunctionCallContent call:
                        (toolCalls ??= []).Add(new ToolCallDto
                        {
                            Id = call.CallId,
                            Type = "function",
                            Function = new FunctionCallDto { Name = call.Name, Arguments = Arguments(call) },
                        });
                        break;
                }
            }
        }

        return new ChatCompletionResponse
        {
            Id = ResponseId(response.ResponseId, callId, "chatcmpl-"),
            Created = (response.CreatedAt ?? (time ?? TimeProvider.System).GetUtcNow()).ToUnixTimeSeconds(),
            Model = response.ModelId ?? model,
            Choices =
            [
                new ChatChoiceDto
                {
                    Index = 0,
                    Message = new ResponseMessageDto { Content = text ?? (toolCalls is null ? string.Empty : null), ReasoningContent = reasoning, ThinkingBlocks = thinking, ToolCalls = toolCalls },
                    FinishReason = FinishReason(response.FinishReason, toolCalls is not null),
                },
            ],
            Usage = Usage(response.Usage) ?? new UsageDto(),
        };
    }

    /// <summary>
    /// LiteLLM's <c>thinking_blocks</c> entry for reasoning that carries protected data (Anthropic's signature, or a
    /// redacted block): what the client must send back for the next turn. Plain reasoning text has none.
    /// </summary>
    /// <remarks>
    /// A redacted block is marked (<c>AdditionalProperties["redacted"]</c>, or its raw block's type); in a whole answer,
    /// reasoning with protected data and no text is one too (a stream sends a thinking block's signature that way).
    /// </remarks>
    public static ThinkingBlockDto? ThinkingBlock(TextReasoningContent reasoning, bool emptyIsRedacted = false)
        => reasoning.ProtectedData is not { Length: > 0 } data ? null
            : IsRedacted(reasoning) || (emptyIsRedacted && reasoning.Text.Length == 0)
                ? new ThinkingBlockDto { Type = "redacted_thinking", Data = data }
                : new ThinkingBlockDto { Thinking = reasoning.Text, Signature = data };

    private static bool IsRedacted(TextReasoningContent reasoning)
        => (reasoning.AdditionalProperties?.TryGetValue("redacted", out var redacted) == true && redacted is true)
        || (reasoning.RawRepresentation is JsonElement { ValueKind: JsonValueKind.Object } raw
            && raw.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("redacted_thinking"));

    // MEAI's options (its source-generated resolver handles object values) but compact and with literal text, as OpenAI writes arguments.
    private static readonly JsonSerializerOptions ArgumentOptions = new(AIJsonUtilities.DefaultOptions)
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Arguments(FunctionCallContent call)
        => call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, ArgumentOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    public static string ResponseId(string? upstream, string callId, string prefix)
        => upstream is not null && upstream.StartsWith(prefix, StringComparison.Ordinal) ? upstream
            : callId.StartsWith(prefix, StringComparison.Ordinal) ? callId
            : prefix + callId.Replace("chatcmpl-", string.Empty, StringComparison.Ordinal);

    public static string FinishReason(ChatFinishReason? reason, bool hasToolCalls)
        => reason?.Value ?? (hasToolCalls ? "tool_calls" : "stop");

    public static UsageDto? Usage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var input = usage.InputTokenCount ?? 0;
        var output = usage.OutputTokenCount ?? 0;
        return new UsageDto
        {
            PromptTokens = input,
            CompletionTokens = output,
            TotalTokens = usage.TotalTokenCount ?? input + output,
            PromptTokensDetails = usage.CachedInputTokenCount is { } cached ? new PromptTokensDetailsDto { CachedTokens = cached } : null,
            CompletionTokensDetails = usage.ReasoningTokenCount is { } reasoning ? new CompletionTokensDetailsDto { ReasoningTokens = reasoning } : null,
        };
    }
}

/// <summary>OpenAI chat streaming: a role chunk, content and tool-call deltas, a finish chunk, the usage chunk, [DONE].</summary>
internal sealed class ChatStreamShaper(InferenceCall call, string model, bool includeUsage) : IStreamShaper
{
    private readonly Dictionary<string, int> _toolIndexes = new(StringComparer.Ordinal);
    private string? _id;
    private long _created;
    private string _model = model;
    private ChatFinishReason? _finish;
    private bool _raw;

    public IEnumerable<SseItem<object>> OnUpdate(ChatResponseUpdate update)
    {
        if (WireJson.As(update.RawRepresentation, WireFormat.OpenAIChat) is { Json.ValueKind: JsonValueKind.Object } raw)
        {
            // Same protocol: the provider's chunk as it came, with the gateway's id and model.
            _raw = true;
            _id ??= ChatResponseWriter.ResponseId(update.ResponseId, call.Id, "chatcmpl-");
            _model = update.ModelId ?? _model;
            if (!includeUsage && raw.Json.TryGetProperty("usage", out var usage) && usage.ValueKind != JsonValueKind.Null
                && raw.Json.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0)
            {
                yield break; // the usage chunk the gateway asked for; this client did not
            }

            yield return new SseItem<object>(new RawChunk(raw.Json, _id, _model, StripUsage: !includeUsage));
            yield break;
        }

        if (_raw)
        {
            yield break; // what the provider client derives from the chunks already sent (whole tool calls) is not sent twice
        }

        if (_id is null)
        {
            _id = ChatResponseWriter.ResponseId(update.ResponseId, call.Id, "chatcmpl-");
            _created = (update.CreatedAt ?? call.State.Time.GetUtcNow()).ToUnixTimeSeconds();
            _model = update.ModelId ?? _model;
            yield return Chunk(new ChunkDeltaDto { Role = "assistant", Content = string.Empty });
        }

        _finish ??= update.FinishReason;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    yield return Chunk(new ChunkDeltaDto { Content = text.Text });
                    break;
                case TextReasoningContent reasoning when reasoning.Text.Length > 0 || reasoning.ProtectedData is { Length: > 0 }:
                    var block = ChatResponseWriter.ThinkingBlock(reasoning);
                    yield return Chunk(new ChunkDeltaDto
                    {
                        ReasoningContent = reasoning.Text.Length > 0 ? reasoning.Text : null,
                        ThinkingBlocks = block is null ? null : [block],
                    });
                    break;
                case FunctionCallContent fc:
                    if (!_toolIndexes.TryGetValue(fc.CallId, out var index))
                    {
                        index = _toolIndexes.Count;
                        _toolIndexes[fc.CallId] = index;
                    }

                    yield return Chunk(new ChunkDeltaDto
                    {
                        ToolCalls =
                        [
                            new ToolCallDeltaDto
                            {
                                Index = index,
                                Id = fc.CallId,
                                Type = "function",
                                Function = new FunctionCallDto { Name = fc.Name, Arguments = ChatResponseWriter.Arguments(fc) },
                            },
                        ],
                    });
                    break;
                case ErrorContent error:
                    throw new LiteLlm.Errors.InternalServerException(new LiteLlm.Errors.ProviderErrorDetails(null, null, null, error.Message));
            }
        }
    }

    public IEnumerable<SseItem<object>> OnEnd()
    {
        if (_raw)
        {
            yield return StreamPump.DoneItem;
            yield break;
        }

        if (_id is null)
        {
            // An empty stream still gets the role chunk so that clients see a well-formed answer.
            foreach (var item in OnUpdate(new ChatResponseUpdate()))
            {
                yield return item;
            }
        }

        yield return Chunk(new ChunkDeltaDto(), ChatResponseWriter.FinishReason(_finish, _toolIndexes.Count > 0));
        if (includeUsage)
        {
            yield return new SseItem<object>(new ChatCompletionChunk
            {
                Id = _id!,
                Created = _created,
                Model = _model,
                Choices = [],
                Usage = ChatResponseWriter.Usage(call.Usage) ?? new UsageDto(),
            });
        }

        yield return StreamPump.DoneItem;
    }

    public SseItem<object> OnError(GatewayError error) => new(GatewayErrors.ToBody(error));

    private SseItem<object> Chunk(ChunkDeltaDto delta, string? finish = null) => new(new ChatCompletionChunk
    {
        Id = _id!,
        Created = _created,
        Model = _model,
        Choices = [new ChunkChoiceDto { Index = 0, Delta = delta, FinishReason = finish }],
    });
}

/// <summary>A provider's own stream chunk, written with the gateway's id and model (and without usage the client did not ask for).</summary>
internal sealed record RawChunk(JsonElement Json, string Id, string Model, bool StripUsage);
