// Cost tracking and budgets: every response is priced, and a tiny budget stops the calls once it is spent.
// Offline (default) the mock model gets a made-up price; pass a model to spend real (tiny) money, e.g.
//   OPENAI_API_KEY=... dotnet run --project samples/CostAndBudgets -- openai/gpt-4o-mini
using LiteLlm;
using LiteLlm.Cost;
using LiteLlm.Errors;
using LiteLlm.Models;
using Microsoft.Extensions.AI;

var model = args.Length > 0 ? args[0] : "mock/priced-model";
var catalog = new ModelCatalog();
if (model.StartsWith("mock/", StringComparison.Ordinal))
{
    // The catalog knows real models' prices; a mock model needs one registered (LiteLLM's register_model).
    catalog.Register(new ModelInfo { Name = model, Provider = "mock", InputCostPerToken = 0.000002m, OutputCostPerToken = 0.000008m });
}

var budgets = new BudgetManager([new Budget("demo-daily", BudgetScope.Global, maxBudget: 0.0005m, duration: "1d")], catalog: catalog);
IChatClient client = new ChatClientBuilder(new LiteLlmChatClient(model))
    .UseBudgets(budgets)        // refuses a call that would go over budget
    .UseCostTracking(catalog)   // prices each response (ResponseProperties.Cost)
    .Build();

var options = new ChatOptions { ModelId = model, MaxOutputTokens = 40 };
for (var call = 1; call <= 50; call++)
{
    try
    {
        var response = await client.GetResponseAsync($"Call {call}: give me one short fact about budgets.", options);
        var cost = response.AdditionalProperties?.TryGetValue(ResponseProperties.Cost, out var c) == true ? (decimal)c! : 0m;
        var status = (await budgets.GetStatusAsync(budgets.Budgets[0])).Spend;
        Console.WriteLine($"call {call}: ${cost:0.000000} ({response.Usage?.TotalTokenCount} tokens), spent ${status:0.000000} of ${budgets.Budgets[0].MaxBudget}");
    }
    catch (BudgetExceededException e)
    {
        Console.WriteLine($"call {call} refused: {e.GetType().Name}: {e.Message}");
        return 0;
    }
    catch (LiteLlmException e)
    {
        Console.Error.WriteLine($"{e.Kind}: {e.Message}");
        return 1;
    }
}

Console.Error.WriteLine("The budget was never exceeded.");
return 1;
