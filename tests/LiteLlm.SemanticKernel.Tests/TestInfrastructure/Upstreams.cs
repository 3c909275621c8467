using System.Net;
using System.Text.Json;
using LiteLlm.Providers;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>OpenAI Chat Completions bodies and factories wired to a <see cref="FakeUpstream"/>.</summary>
public static class Upstreams
{
    public static ProviderOptions Key { get; } = new() { ApiKey = "sk-test" };

    public static LiteLlmClientFactory Factory(FakeUpstream upstream) => new(new LiteLlmClientFactoryOptions
    {
        HttpMessageHandler = upstream,
        EnvironmentVariables = _ => null,
        Providers = new ProviderRegistry(),
    });

    /// <summary>A final answer.</summary>
    public static string Text(string text, int prompt = 30, int completion = 8) => $$$"""
        {"id":"chatcmpl-final","object":"chat.completion","created":1727346182,"model":"gpt-4o-mini-2024-07-18",
         "choices":[{"index":0,"message":{"role":"assistant","content":{{{JsonSerializer.Serialize(text)}}}},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}}}}
        """;

    /// <summary>A tool call of <paramref name="name"/> with <paramref name="arguments"/> (a JSON object).</summary>
    public static string ToolCall(string name, string arguments, string id = "call_1") => $$$"""
        {"id":"chatcmpl-tool","object":"chat.completion","created":1727346182,"model":"gpt-4o-mini-2024-07-18",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"{{{id}}}","type":"function",
           "function":{"name":"{{{name}}}","arguments":{{{JsonSerializer.Serialize(arguments)}}}}}]},"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}
        """;

    /// <summary>Answers with a call of the first tool the request offers, so tests need not guess how a framework names functions.</summary>
    public static FakeUpstream CallFirstTool(this FakeUpstream upstream, string arguments, string id = "call_1")
        => upstream.Enqueue((request, _) => Task.FromResult(Ok(ToolCall(FirstToolName(request), arguments, id))));

    public static FakeUpstream Answer(this FakeUpstream upstream, string text) => upstream.Json(Text(text));

    public static string FirstToolName(RecordedRequest request)
        => request.Json.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString()!;

    public static HttpResponseMessage Ok(string body) => FakeUpstream.Response(HttpStatusCode.OK, body, "application/json");

    public static HttpResponseMessage ServerError() => FakeUpstream.Response(HttpStatusCode.InternalServerError,
        """{"error":{"message":"The server had an error processing your request.","type":"server_error","param":null,"code":null}}""", "application/json");

    /// <summary>The messages of a recorded request.</summary>
    public static JsonElement[] Messages(this RecordedRequest request) => [.. request.Json.GetProperty("messages").EnumerateArray()];

    /// <summary>A streamed tool call of <paramref name="name"/>, arguments split across chunks as OpenAI sends them.</summary>
    public static string ToolCallStream(string name, string arguments)
    {
        var half = arguments.Length / 2;
        return Chunk($$$"""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_s","type":"function","function":{"name":"{{{name}}}","arguments":""}}]}""")
            + Chunk($$$"""{"tool_calls":[{"index":0,"function":{"arguments":{{{JsonSerializer.Serialize(arguments[..half])}}}}}]}""")
            + Chunk($$$"""{"tool_calls":[{"index":0,"function":{"arguments":{{{JsonSerializer.Serialize(arguments[half..])}}}}}]}""")
            + Chunk("{}", "tool_calls") + "data: [DONE]\n\n";
    }

    /// <summary>A streamed text answer.</summary>
    public static string TextStream(params string[] parts)
        => Chunk("""{"role":"assistant","content":""}""") + string.Concat(parts.Select(p => Chunk("{\"content\":" + JsonSerializer.Serialize(p) + "}")))
            + Chunk("{}", "stop") + "data: [DONE]\n\n";

    private static string Chunk(string delta, string? finish = null)
        => $$$"""data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{{{delta}}},"finish_reason":{{{(finish is null ? "null" : "\"" + finish + "\"")}}}}]}""" + "\n\n";

    public static HttpResponseMessage Sse(string body) => FakeUpstream.Response(HttpStatusCode.OK, body, "text/event-stream");
}
