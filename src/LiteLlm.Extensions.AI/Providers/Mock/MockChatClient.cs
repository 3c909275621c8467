using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>
/// A chat client that answers without a network: the scripted <c>mock_response</c> text (or an echo
/// of the last user message), scripted tool calls, scripted errors by LiteLLM's exception names
/// (<c>litellm.RateLimitError</c>) and an optional latency. Settings come from the deployment and
/// can be overridden per call through <see cref="ChatOptions.AdditionalProperties"/>.
/// </summary>
/// <remarks>
/// It plays a conversation as a model would, so tool loops end: <c>mock_tool_calls</c> are asked for once per user
/// turn, and once their results are back the answer is text (<c>mock_response</c>, else a summary of the results).
/// <c>mock_responses</c> is a script of steps played one per round trip of the turn (then the same text answer).
/// A scripted tool name also matches an offered tool that ends with <c>_name</c> or <c>-name</c>, the way Semantic
/// Kernel names plugin functions (<c>WeatherPlugin_GetWeather</c>).
/// </remarks>
public sealed class MockChatClient : IChatClient
{
    private readonly string _model;
    private readonly IReadOnlyDictionary<string, object?> _settings;
    private readonly ChatClientMetadata _metadata;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="MockChatClient"/> class.</summary>
    /// <param name="model">The model name reported in responses.</param>
    /// <param name="settings">Default scripted behaviour (<c>mock_response</c>, <c>mock_tool_calls</c>, <c>mock_latency</c>).</param>
    /// <param name="timeProvider">The clock for <c>created</c> and the latency (the system's when null).</param>
    public MockChatClient(string model = "mock", IReadOnlyDictionary<string, object?>? settings = null, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _model = model;
        _settings = settings ?? new Dictionary<string, object?>();
        _metadata = new ChatClientMetadata("mock", new Uri("mock://local/"), model);
    }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var script = Script(options);
        await Delay(script, cancellationToken).ConfigureAwait(false);
        var (contents, finish) = Answer(script, messages, options);
        var usage = Usage(messages, contents);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = script.Id })
        {
            ResponseId = script.Id,
            ModelId = _model,
            CreatedAt = _time.GetUtcNow(),
            FinishReason = finish,
            Usage = usage,
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var script = Script(options);
        await Delay(script, cancellationToken).ConfigureAwait(false);
        var (contents, finish) = Answer(script, messages, options);
        var created = _time.GetUtcNow();
        foreach (var content in contents)
        {
            if (content is TextContent text)
            {
                // Word by word, as a real stream arrives.
                var words = text.Text.Split(' ');
                for (var i = 0; i < words.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return Update(script.Id, created, new TextContent(i == 0 ? words[i] : " " + words[i]));
                }
            }
            else
            {
                yield return Update(script.Id, created, content);
            }
        }

        var last = Update(script.Id, created, new UsageContent(Usage(messages, contents)));
        last.FinishReason = finish;
        yield return last;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private ChatResponseUpdate Update(string id, DateTimeOffset created, AIContent content) => new(ChatRole.Assistant, [content])
    {
        ResponseId = id,
        MessageId = id,
        ModelId = _model,
        CreatedAt = created,
    };

    private MockScript Script(ChatOptions? options)
    {
        object? Get(string name)
            => options?.AdditionalProperties is { } props && props.TryGetValue(name, out var v) ? v
            : _settings.TryGetValue(name, out var s) ? s : null;

        return new MockScript(
            "chatcmpl-mock-" + Guid.NewGuid().ToString("N")[..24],
            Get(CallSettings.MockResponse),
            Get(CallSettings.MockToolCalls),
            Get(CallSettings.MockResponses),
            CallSettings.ToTimeSpan(Get(CallSettings.MockLatency), numbersAreMilliseconds: true));
    }

    private Task Delay(MockScript script, CancellationToken cancellationToken)
        => script.Latency is { } latency && latency > TimeSpan.Zero ? Task.Delay(latency, _time, cancellationToken) : Task.CompletedTask;

    private (List<AIContent> Contents, ChatFinishReason Finish) Answer(MockScript script, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var response = script.Response switch
        {
            null => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };

        var conversation = new MockConversation(messages);
        var calls = MockToolCallParser.Parse(script.ToolCalls);
        if (MockSteps.Parse(script.Responses) is { Count: > 0 } steps)
        {
            // The script: one step per round trip of this user turn; past its end, a text answer.
            if (conversation.RoundTrips < steps.Count)
            {
                var step = steps[conversation.RoundTrips];
                (response, calls) = (step.Text, step.Calls);
            }
            else
            {
                calls = [];
            }
        }
        else if (conversation.HasToolResults)
        {
            // The tools have answered: a model would now answer with text, not ask again.
            calls = [];
        }

        if (response is not null && MockErrors.TryCreate(response, _model) is { } error)
        {
            throw error;
        }

        calls = MockConversation.ResolveNames(calls, options);
        if (calls.Count > 0)
        {
            var contents = new List<AIContent>();
            if (!string.IsNullOrEmpty(response))
            {
                contents.Add(new TextContent(response));
            }

            contents.AddRange(calls);
            return (contents, ChatFinishReason.ToolCalls);
        }

        response ??= conversation.SummarizeToolResults() ?? "Mock response to: " + conversation.UserText;
        return ([new TextContent(response)], ChatFinishReason.Stop);
    }

    private static UsageDetails Usage(IEnumerable<ChatMessage> messages, List<AIContent> answer)
    {
        // A rough count (four characters a token) so that cost and budget code has numbers to work with.
        long input = Math.Max(1, messages.Sum(m => (long)m.Text.Length) / 4);
        long output = Math.Max(1, answer.Sum(c => c switch
        {
            TextContent t => (long)t.Text.Length,
            FunctionCallContent f => f.Name.Length + JsonSerializer.Serialize(f.Arguments, AIJson<IDictionary<string, object?>?>.Info).Length,
            _ => 0L,
        }) / 4);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private sealed record MockScript(string Id, object? Response, object? ToolCalls, object? Responses, TimeSpan? Latency);
}
