// Any OpenAI-compatible endpoint: "openai/<model>" plus an API base (here kluster.ai; vLLM, LM Studio,
// Together or a LiteLLM proxy work the same way).
//   KLUSTER_API_KEY=... dotnet run --project samples/CustomEndpoint
//   KLUSTER_API_KEY=... dotnet run --project samples/CustomEndpoint -- openai/<model> https://api.kluster.ai/v1
using LiteLlm;
using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.AI;

var model = args.Length > 0 ? args[0] : "openai/klusterai/Meta-Llama-3.1-8B-Instruct-Turbo";
var apiBase = args.Length > 1 ? args[1] : "https://api.kluster.ai/v1";
var apiKey = Environment.GetEnvironmentVariable("KLUSTER_API_KEY");
if (string.IsNullOrEmpty(apiKey))
{
    Console.WriteLine($"This sample calls {model} at {apiBase}, an OpenAI-compatible endpoint.");
    Console.WriteLine("Set KLUSTER_API_KEY (or pass another model and API base) to run it; nothing to do offline.");
    return 0;
}

var endpoint = new ProviderOptions { ApiBase = apiBase, ApiKey = apiKey };
try
{
    var response = await Llm.CompletionAsync(model, "In one sentence: what is an OpenAI-compatible API?", provider: endpoint);
    Console.WriteLine($"[{response.ModelId}] {response.Text}");

    Console.Write("stream: ");
    await foreach (var update in Llm.StreamCompletionAsync(model, "Count to five.", provider: endpoint))
    {
        Console.Write(update.Text);
    }

    Console.WriteLine();
}
catch (LiteLlmException e)
{
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}

return 0;
