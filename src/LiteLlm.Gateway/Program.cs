// The LiteLlm gateway: an OpenAI-compatible server over the LiteLlm pipeline.
//   dotnet run --project src/LiteLlm.Gateway                       (embedded defaults: offline mock models)
//   dotnet run --project src/LiteLlm.Gateway -- --config config.yaml --port 4000
//   dotnet run --project src/LiteLlm.Gateway -- --model openai/gpt-4o-mini
using System.CommandLine;
using LiteLlm.Gateway.Hosting;

var config = new Option<FileInfo?>("--config") { Description = "A LiteLLM config.yaml (model_list, router_settings, litellm_settings, general_settings)." };
var port = new Option<int>("--port") { Description = "The port to listen on.", DefaultValueFactory = _ => 4000 };
var host = new Option<string>("--host") { Description = "The address to listen on (0.0.0.0 for every interface).", DefaultValueFactory = _ => "127.0.0.1" };
var model = new Option<string?>("--model") { Description = "Quick mode: serve this one model string (e.g. openai/gpt-4o-mini)." };
var debug = new Option<bool>("--detailed-debug") { Description = "Debug logs (never message contents or keys)." };
var root = new RootCommand("LiteLlm gateway: one OpenAI-compatible endpoint for every LLM provider.") { config, port, host, model, debug };
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new GatewayOptions
    {
        ConfigFile = parse.GetValue(config)?.FullName,
        Port = parse.GetValue(port),
        Host = parse.GetValue(host)!,
        Model = parse.GetValue(model),
        DetailedDebug = parse.GetValue(debug),
    };
    WebApplication app;
    try
    {
        app = GatewayApp.Build(options);
    }
    catch (Exception e) when (e is FileNotFoundException or InvalidOperationException)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 2;
    }

    await using (app)
    {
        await app.StartAsync(cancellationToken);
        Console.WriteLine($"LiteLlm gateway on {string.Join(", ", app.Urls)} — models: {string.Join(", ", app.Services.GetRequiredService<LiteLlm.Configuration.LiteLlmRuntime>().Router.ModelGroups)}");
        await app.WaitForShutdownAsync(cancellationToken);
    }

    return 0;
});
return await root.Parse(args).InvokeAsync();
