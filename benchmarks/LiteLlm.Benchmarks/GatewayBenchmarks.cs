using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Providers.Mock;
using Microsoft.Extensions.AI;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Limits;
using LiteLlm.Gateway.Protocol.Anthropic;
using LiteLlm.Gateway.Protocol.OpenAI;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Benchmarks;

/// <summary>The gateway's own work per request: parse OpenAI JSON → (a mock pipeline) → write OpenAI JSON.</summary>
[MemoryDiagnoser]
public class GatewayBenchmarks
{
    private static readonly byte[] Request = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello."}],"temperature":0.2,"max_tokens":100}""");

    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly IChatClient _mock = new MockChatClient("gpt-4o-mini", new Dictionary<string, object?> { ["mock_response"] = "Hello! How can I help you today?" });

    [Benchmark]
    public async Task<int> ParsePipelineSerialize()
    {
        var dto = JsonSerializer.Deserialize(Request, GatewayJson.Context.ChatCompletionRequest)!;
        var request = ChatRequestParser.Parse(dto, CallerIdentity.Anonymous);
        var response = await _mock.GetResponseAsync(request.Messages, request.Options);
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output);
        JsonSerializer.Serialize(writer, ChatResponseWriter.ToCompletion(response, "chatcmpl-1", request.Model), GatewayJson.Context.ChatCompletionResponse);
        return _output.WrittenCount;
    }
}
