// One code path, any provider: the provider is only the prefix of the model string.
// Offline (default) it runs twice on the mock provider; with models, e.g.
//   OPENAI_API_KEY=... GROQ_API_KEY=... dotnet run --project samples/SameCodeAcrossProviders -- openai/gpt-4o-mini groq/llama-3.1-8b-instant
//   dotnet run --project samples/SameCodeAcrossProviders -- ollama/llama3.2
using LiteLlm;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

string[] models = args.Length > 0 ? args : ["mock/gpt-4o-mini", "mock/claude-3-5-haiku"];
var failures = 0;
foreach (var model in models)
{
    try
    {
        await AskAsync(Llm.GetChatClient(model));
    }
    catch (LiteLlmException e)
    {
        // Every provider's failure is one of a few exception types.
        Console.Error.WriteLine($"{model}: {e.Kind}: {e.Message}");
        failures++;
    }
}

return failures == 0 ? 0 : 1;

// The same code for every provider.
static async Task AskAsync(IChatClient client)
{
    var metadata = client.GetService<ChatClientMetadata>();
    var options = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 60 };
    var response = await client.GetResponseAsync("In one sentence, what is an LLM gateway?", options);
    Console.WriteLine($"[{metadata?.ProviderName}/{metadata?.DefaultModelId}] {response.Text}");
    Console.WriteLine($"  finish: {response.FinishReason}, tokens: {response.Usage?.InputTokenCount} in / {response.Usage?.OutputTokenCount} out");
}
