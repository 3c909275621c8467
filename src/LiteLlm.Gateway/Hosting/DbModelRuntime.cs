using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LiteLlm.Configuration;
using LiteLlm.Routing;

namespace LiteLlm.Gateway.Hosting;

/// <summary>One stored deployment, parsed and ready for the router.</summary>
internal sealed record BuiltModel(string Id, string ModelName, Deployment Deployment, IReadOnlyList<LiteLlm.Models.ModelInfo> Prices);

/// <summary>
/// The one place the gateway changes the library's router at run time, for the deployments stored in the database
/// (<c>/model/new</c>). Everything here goes through the library's public API:
/// <list type="bullet">
/// <item><see cref="LiteLlmOptions.ConfigureRouter"/>: every router the runtime builds gets the stored deployments after the config's;</item>
/// <item><see cref="LiteLlmRuntime.Reload"/> with the current <see cref="LiteLlmRuntime.Config"/>: swaps in a router with the new set;</item>
/// <item><see cref="LiteLlmConfigLoader.ParseYaml"/>: a stored entry is read exactly as a <c>model_list</c> entry of config.yaml;</item>
/// <item><see cref="LiteLlmRuntime.Catalog"/> (<see cref="LiteLlm.Models.ModelCatalog.Register"/>): the entry's own prices;</item>
/// <item><see cref="LiteLlmRuntime.Router"/> (<see cref="LiteLlmRouter.ModelGroups"/>, <see cref="LiteLlmRouter.DeploymentsOf"/>): which ids the router serves;</item>
/// <item><see cref="LiteLlmRouter(RouterOptions, LiteLlmClientFactory?, Microsoft.Extensions.Logging.ILogger{LiteLlmRouter}?)"/> over <see cref="LiteLlmRuntime.Factory"/>: a trial router proves one entry builds.</item>
/// </list>
/// </summary>
internal sealed partial class DbModelRuntime
{
    private readonly Lock _applying = new();
    private volatile IReadOnlyList<BuiltModel> _models = [];
    private volatile HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>Gets the stored deployments the router serves now.</summary>
    public IReadOnlyList<BuiltModel> Models => _models;

    /// <summary>Makes every router the runtime builds include the stored deployments (call before the pipeline is registered).</summary>
    public void Hook(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configure = options.ConfigureLiteLlm;
        options.ConfigureLiteLlm = o =>
        {
            configure?.Invoke(o);
            var router = o.ConfigureRouter;
            o.ConfigureRouter = r =>
            {
                router?.Invoke(r);
                foreach (var model in _models)
                {
                    r.Deployments.Add(model.Deployment);
                }
            };
        };
    }

    /// <summary>Gets whether the deployment <paramref name="id"/> came from the database.</summary>
    public bool IsDbModel(string id) => _ids.Contains(id);

    /// <summary>Gets the model name of the deployment <paramref name="id"/> when the router serves it and it did not come from the database (the config file's); else null.</summary>
    public string? ConfigModelName(LiteLlmRuntime runtime, string id)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var router = runtime.Router;
        return IsDbModel(id) ? null : router.ModelGroups.FirstOrDefault(g => router.DeploymentsOf(g).Any(s => s.Deployment.Id == id));
    }

    /// <summary>
    /// Reads one stored entry as config.yaml's <c>model_list</c> would (same keys, same checks, <c>os.environ/</c>
    /// references resolved from the config's environment, then the process's) and proves a router builds with it.
    /// </summary>
    /// <returns>The parsed model, or the error and the field it names (<c>litellm_params.rpm</c>).</returns>
    public static (BuiltModel? Model, string? Error, string? Param) Build(LiteLlmRuntime runtime, string id, string modelName, JsonObject litellmParams, JsonObject? modelInfo)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var info = modelInfo?.DeepClone().AsObject() ?? [];
        info["id"] = id;
        var entry = new JsonObject { ["model_name"] = modelName, ["litellm_params"] = litellmParams.DeepClone(), ["model_info"] = info };

        // JSON is YAML: the entry goes through the config reader unchanged.
        var text = new JsonObject { ["model_list"] = new JsonArray(entry) }.ToJsonString();
        var environment = runtime.Config.EnvironmentVariables;
        LiteLlmConfig parsed;
        try
        {
            parsed = LiteLlmConfigLoader.ParseYaml(text, name => environment.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(name));
        }
        catch (FormatException e)
        {
            return (null, e.Message, "litellm_params");
        }

        if (parsed.Errors.Count > 0 || parsed.ModelList.Count != 1)
        {
            var error = parsed.Errors.Count > 0 ? parsed.Errors[0] : "litellm_params: not a deployment.";
            var message = error.StartsWith("model_list[0]", StringComparison.Ordinal) ? error["model_list[0]".Length..].TrimStart('.', ' ', ':') : error;
            return (null, message, FieldOf(error));
        }

        var deployment = parsed.ModelList[0];
        try
        {
            _ = new LiteLlmRouter(new RouterOptions { Deployments = [deployment] }, runtime.Factory);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or LiteLlm.Errors.LiteLlmException)
        {
            return (null, "litellm_params: the deployment does not build: " + e.Message, "litellm_params.model");
        }

        return (new BuiltModel(id, modelName, deployment, parsed.ModelOverrides), null, null);
    }

    /// <summary>
    /// Serves exactly <paramref name="models"/> from now on: one new router with the config's deployments and these.
    /// A set the router refuses is applied model by model, so one that does not build leaves the others served.
    /// </summary>
    /// <returns>The ids left out because the router refused them.</returns>
    public IReadOnlyList<string> Apply(LiteLlmRuntime runtime, IReadOnlyList<BuiltModel> models)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(models);
        lock (_applying)
        {
            foreach (var price in models.SelectMany(m => m.Prices))
            {
                runtime.Catalog.Register(price);
            }

            if (TrySwap(runtime, models))
            {
                return [];
            }

            var kept = new List<BuiltModel>();
            var refused = new List<string>();
            foreach (var model in models)
            {
                if (TrySwap(runtime, [.. kept, model]))
                {
                    kept.Add(model);
                }
                else
                {
                    refused.Add(model.Id);
                }
            }

            TrySwap(runtime, kept);
            return refused;
        }
    }

    private bool TrySwap(LiteLlmRuntime runtime, IReadOnlyList<BuiltModel> models)
    {
        var (previous, previousIds) = (_models, _ids);
        _models = models;
        try
        {
            if (runtime.Reload(runtime.Config))
            {
                _ids = new HashSet<string>(models.Select(m => m.Id), StringComparer.Ordinal);
                return true;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // The router refused this set; the caller narrows it down.
        }

        (_models, _ids) = (previous, previousIds);
        return false;
    }

    /// <summary>The field a config error names: <c>litellm_params.rpm</c>, <c>model_info.access_groups</c>, else <c>litellm_params</c>.</summary>
    private static string FieldOf(string error) => FieldPattern().Match(error) is { Success: true } m ? m.Value.TrimEnd('.') : "litellm_params";

    [GeneratedRegex(@"(litellm_params|model_info)(\.[A-Za-z0-9_\-]+)*")]
    private static partial Regex FieldPattern();
}
