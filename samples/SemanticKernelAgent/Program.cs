// Semantic Kernel over LiteLlm: a kernel with a plugin, FunctionChoiceBehavior.Auto, an SK filter, and an agent
// (Microsoft Agent Framework's ChatClientAgent) that keeps a multi-turn conversation over the same pipeline.
// Offline (default) the mock provider plays the model (see OfflineToolScript); pass a model to use a real one, e.g.
//   OPENAI_API_KEY=... dotnet run --project samples/SemanticKernelAgent -- openai/gpt-4o-mini
using System.ComponentModel;
using LiteLlm.Errors;
using LiteLlm.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

var model = args.Length > 0 ? args[0] : "mock/sk-model";

var kb = Kernel.CreateBuilder();
var chat = kb.AddLiteLlmChatClient(model).UseCostTracking();
if (model.StartsWith("mock/", StringComparison.Ordinal))
{
    chat.UseOfflineToolScript(text => new() { ["city"] = text.Split(' ')[^1].TrimEnd('?') });
}

kb.Plugins.AddFromType<WeatherPlugin>("weather");
kb.Services.AddSingleton<IAutoFunctionInvocationFilter, LoggingFilter>();
var kernel = kb.Build();

try
{
    // 1. A prompt with automatic function calling.
    var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
    var result = await kernel.InvokePromptAsync("What's the weather in Paris?", new(settings));
    Console.WriteLine($"kernel: {result}");

    // 2. An agent with the kernel's plugins as tools, over two turns of one session.
    var agent = LiteLlmAgents.CreateAgent(kernel, "You are a concise weather assistant.", "weather-agent");
    var session = await agent.CreateSessionAsync();
    foreach (var question in new[] { "How is the weather in Lisbon?", "And in Oslo?" })
    {
        var answer = await agent.RunAsync(question, session);
        Console.WriteLine($"agent: {question} => {answer.Text}");
    }
}
catch (LiteLlmException e)
{
    Console.Error.WriteLine($"{e.Kind}: {e.Message}");
    return 1;
}

return 0;

internal sealed class WeatherPlugin
{
    [KernelFunction("get_weather")]
    [Description("Gets the current weather for a city.")]
    public static string GetWeather([Description("The city name.")] string city) => $"Sunny, 21 C in {city}";
}

internal sealed class LoggingFilter : IAutoFunctionInvocationFilter
{
    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        Console.WriteLine($"  [filter] {context.Function.PluginName}.{context.Function.Name}(city: {context.Arguments?["city"]})");
        await next(context);
    }
}
