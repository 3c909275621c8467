// A tool-calling loop with MEAI's UseFunctionInvocation and a local C# function.
// Offline (default) the mock provider plays the model (see OfflineToolScript); pass a model to use a real one, e.g.
//   OPENAI_API_KEY=... dotnet run --project samples/ToolCallingLoop -- openai/gpt-4o-mini
//   ANTHROPIC_API_KEY=... dotnet run --project samples/ToolCallingLoop -- anthropic/claude-3-5-haiku-20241022
using System.ComponentModel;
using LiteLlm;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

var model = args.Length > 0 ? args[0] : "mock/tool-model";
var offline = model.StartsWith("mock/", StringComparison.Ordinal);

[Description("Gets the current weather for a city.")]
static string GetWeather([Description("The city name.")] string city)
{
    Console.WriteLine($"  -> get_weather(city: {city})");
    return $"Sunny, 21 C in {city}";
}

var builder = new ChatClientBuilder(new LiteLlmChatClient(model))
    .UseFunctionInvocation();   // runs the tool calls and sends the results back, until the model answers
if (offline)
{
    builder.UseOfflineToolScript(text => new() { ["city"] = text.Split(' ')[^1].TrimEnd('?') });
}

using var client = builder.Build();
var options = new ChatOptions { Tools = [AIFunctionFactory.Create(GetWeather, "get_weather")] };
try
{
    var response = await client.GetResponseAsync("What's the weather in Paris?", options);
    Console.WriteLine($"answer: {response.Text}");
    Console.WriteLine($"  messages in the turn: {response.Messages.Count} (tool call, tool result, answer)");
}
catch (LiteLlmException e)
{
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}

return 0;
