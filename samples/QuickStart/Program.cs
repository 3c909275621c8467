// Quick start: one model string reaches any provider. Runs offline with the mock provider;
// pass a model to use a real one, e.g.
//   OPENAI_API_KEY=... dotnet run --project samples/QuickStart -- openai/gpt-4o-mini
//   ANTHROPIC_API_KEY=... dotnet run --project samples/QuickStart -- anthropic/claude-3-5-haiku-20241022
//   dotnet run --project samples/QuickStart -- ollama/llama3.2
using LiteLlm;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

var model = args.Length > 0 ? args[0] : "mock/quickstart";

try
{
    // 1. One call.
    var response = await Llm.CompletionAsync(model, "In one sentence: why do .NET teams like Microsoft.Extensions.AI?");
    Console.WriteLine($"[{response.ModelId}] {response.Text}");
    Console.WriteLine($"  tokens: {response.Usage?.InputTokenCount} in, {response.Usage?.OutputTokenCount} out");

    // 2. Streaming.
    Console.Write("stream: ");
    await foreach (var update in Llm.StreamCompletionAsync(model, "Count to five."))
    {
        Console.Write(update.Text);
    }

    Console.WriteLine();

    // 3. Multi-turn with the same IChatClient every MEAI middleware composes with.
    IChatClient client = Llm.GetChatClient(model);
    List<ChatMessage> history = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Name a prime number.")];
    var first = await client.GetResponseAsync(history);
    history.AddMessages(first);
    history.Add(new ChatMessage(ChatRole.User, "And the next one?"));
    var second = await client.GetResponseAsync(history);
    Console.WriteLine($"turn 1: {first.Text}\nturn 2: {second.Text}");
}
catch (LiteLlmException e)
{
    // Every provider's failure is one of a few types, whatever its wire format.
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}

return 0;
