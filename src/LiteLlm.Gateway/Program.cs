using System.CommandLine;
using System.Globalization;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using Microsoft.Extensions.Options;

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
        // The start checks (unknown providers, fallbacks to missing groups, …) as one line each, not a host stack trace.
        // The config's warnings are logged by the same checks (LiteLlm.Configuration), with their paths.
        try
        {
            _ = app.Services.GetRequiredService<IOptions<LiteLlmOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                await Console.Error.WriteLineAsync("litellm-dotnet: " + failure).ConfigureAwait(false);
            }

            return 2;
        }

        if (PortInUse(options.Host, options.Port))
        {
            await Console.Error.WriteLineAsync($"litellm-dotnet: port {options.Port} on {options.Host} is already in use (another gateway?); choose another with --port or PORT.").ConfigureAwait(false);
            return 1;
        }

        try
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Taken between the check and the bind: the host has logged it; end with the same one line.
            await Console.Error.WriteLineAsync($"litellm-dotnet: port {options.Port} on {options.Host} is already in use; choose another with --port or PORT.").ConfigureAwait(false);
            return 1;
        }
    }

    return 0;
});

// SIGTERM/SIGINT belong to the web host (ConsoleLifetime): it stops accepting, finishes in-flight requests and drains the
// spend queue within HostOptions.ShutdownTimeout. System.CommandLine's own handler would return from Main 2 s after the
// signal (exit 143) and end the process mid-drain, losing spend records of completed requests.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);

// Binding a listener is the only reliable way to ask; it is closed at once, before the server binds for real.
static bool PortInUse(string host, int port)
{
    var address = host is "0.0.0.0" or "*" or "+" ? System.Net.IPAddress.Any
        : host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? System.Net.IPAddress.Loopback
        : System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : null;
    if (port <= 0 || address is null)
    {
        return false; // an ephemeral port or a host name: let the server bind and report
    }

    try
    {
        var listener = new System.Net.Sockets.TcpListener(address, port);
        listener.Start();
        listener.Stop();
        return false;
    }
    catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
    {
        return true;
    }
}

static int? EnvInt(string name)
    => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
