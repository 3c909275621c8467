using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>A kernel plugin that records its calls.</summary>
public sealed class WeatherPlugin
{
    public List<string> Cities { get; } = [];

    [KernelFunction("get_weather")]
    [Description("Gets the current weather for a city.")]
    public string GetWeather([Description("The city name.")] string city)
    {
        lock (Cities)
        {
            Cities.Add(city);
        }

        return $"Sunny, 21 C in {city}";
    }
}

/// <summary>An auto function invocation filter that records what it saw.</summary>
public sealed class RecordingFilter : IAutoFunctionInvocationFilter
{
    public List<string> Calls { get; } = [];

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        Calls.Add($"{context.Function.Name}({context.Arguments?["city"]})");
        await next(context);
    }
}
