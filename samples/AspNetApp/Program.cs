// An ASP.NET minimal API whose LLM provider is chosen by appsettings.json alone:
// change LiteLlm:model_list:0:litellm_params:model from "mock/assistant" to "openai/gpt-4o-mini",
// "anthropic/claude-3-5-haiku-20241022" or "ollama/llama3.2" (and set the provider's key variable);
// the code below does not change.
//
//   dotnet run --project samples/AspNetApp
//   curl -s localhost:5080/ask -H 'content-type: application/json' -d '{"question":"What is .NET?"}'
//   dotnet run --project samples/AspNetApp -- --self-test     (asks once in-process and exits)
using Microsoft.Extensions.AI;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddLiteLlm(builder.Configuration.GetSection("LiteLlm"));
var app = builder.Build();

app.MapPost("/ask", async (AskRequest request, [FromKeyedServices("assistant")] IChatClient assistant, CancellationToken ct) =>
{
    var response = await assistant.GetResponseAsync(request.Question ?? "Hello!", cancellationToken: ct);
    return Results.Ok(new Answer(response.Text, response.ModelId, response.Usage?.TotalTokenCount));
});

if (args.Contains("--self-test"))
{
    var assistant = app.Services.GetRequiredKeyedService<IChatClient>("assistant");
    var answer = await assistant.GetResponseAsync("What is .NET?");
    Console.WriteLine($"[{answer.ModelId}] {answer.Text}");
    return;
}

await app.RunAsync();

internal sealed record AskRequest(string? Question);

internal sealed record Answer(string Text, string? Model, long? Tokens);
