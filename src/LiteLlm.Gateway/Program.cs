using System.CommandLine;
using System.Globalization;
using LiteLlm.Gateway.Hosting;

// litellm-dotnet: the OpenAI-compatible gateway over the LiteLlm pipeline.
var config = new Option<string?>("--config", "-c") { Description = "A LiteLLM config.yaml (model_list, router_settings, litellm_settings, general_settings)." };
var port = new Option<int>("--port") { Description = "The port to listen on (env PORT).", DefaultValueFactory = _ => EnvInt("PORT") ?? 4000 };
var host = new Option<string>("--host") { Description = "The interface to listen on (env HOST).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HOST") ?? "0.0.0.0" };
var model = new Option<string?>("--model", "-m") { Description = "Quick mode: serve one model (e.g. openai/gpt-4o-mini) under its own name." };
var debug = new Option<bool>("--detailed-debug") { Description = "Write debug logs." };

var root = new RootCommand("LiteLlm gateway: an OpenAI-compatible LLM proxy. With no flags it serves the embedded defaults (mock models offline; OpenAI and Anthropic when their keys are set).")
{
    config, port, host, model, debug,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var options = new GatewayOptions
    {
        ConfigFile = parse.GetValue(config),
        Port = parse.GetValue(port),
        Host = parse.GetValue(host) ?? "0.0.0.0",
        Model = parse.GetValue(model),
        DetailedDebug = parse.GetValue(debug),
    };

    Microsoft.AspNetCore.Builder.WebApplication app;
    try
    {
        app = GatewayApp.Create(options);
    }
    catch (InvalidOperationException e)
    {
        await Console.Error.WriteLineAsync("litellm-dotnet: " + e.Message).ConfigureAwait(false);
        return 2;
    }

    await using (app.ConfigureAwait(false))
    {
        // The config's warnings are logged by AddLiteLlm's start checks (LiteLlm.Configuration), with their paths.
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    return 0;
});

// SIGTERM/SIGINT belong to the web host (ConsoleLifetime): it stops accepting, finishes in-flight requests and drains the
// spend queue within HostOptions.ShutdownTimeout. System.CommandLine's own handler would return from Main 2 s after the
// signal (exit 143) and end the process mid-drain, losing spend records of completed requests.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);

static int? EnvInt(string name)
    => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
