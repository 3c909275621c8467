using System.Text.Json;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.OpenAI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>GET /v1/models and GET /model/info: the model groups a caller may use, and their deployments (never keys).</summary>
internal sealed class ModelsEndpoints(LiteLlmRuntime runtime, IRequestGate gate)
{
    public async Task ModelsAsync(HttpContext context)
    {
        var caller = await CallerAsync(context);
        if (caller is null)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var group in Visible(caller))
        {
            w.WriteStartObject();
            w.WriteString("id", group);
            w.WriteString("object", "model");
            w.WriteNumber("created", 1677610602);
            w.WriteString("owned_by", "litellm");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public async Task ModelInfoAsync(HttpContext context)
    {
        var caller = await CallerAsync(context);
        if (caller is null)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var group in Visible(caller))
        {
            foreach (var d in runtime.Router.DeploymentsOf(group))
            {
                w.WriteStartObject();
                w.WriteString("model_name", group);
                w.WriteStartObject("litellm_params");
                w.WriteString("model", d.Deployment.Model);
                if (d.Deployment.Provider?.ApiBase is { } apiBase)
                {
                    w.WriteString("api_base", apiBase);
                }

                if (d.Deployment.Rpm is { } rpm)
                {
                    w.WriteNumber("rpm", rpm);
                }

                if (d.Deployment.Tpm is { } tpm)
                {
                    w.WriteNumber("tpm", tpm);
                }

                w.WriteEndObject();
                w.WriteStartObject("model_info");
                w.WriteString("id", d.Deployment.Id);
                if (d.MaxInputTokens is { } maxInput)
                {
                    w.WriteNumber("max_input_tokens", maxInput);
                }

                if (d.Info is { } info)
                {
                    w.WriteString("litellm_provider", info.Provider);
                    if (info.MaxOutputTokens is { } maxOutput)
                    {
                        w.WriteNumber("max_output_tokens", maxOutput);
                    }

                    if (info.InputCostPerToken is { } input)
                    {
                        w.WriteNumber("input_cost_per_token", input);
                    }

                    if (info.OutputCostPerToken is { } output)
                    {
                        w.WriteNumber("output_cost_per_token", output);
                    }

                    w.WriteBoolean("supports_function_calling", info.Supports("function_calling"));
                    w.WriteBoolean("supports_vision", info.Supports("vision"));
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private IEnumerable<string> Visible(CallerIdentity caller)
        => runtime.Router.ModelGroups.Order(StringComparer.Ordinal)
            .Where(g => caller.AllowedModels.Count == 0 || caller.AllowedModels.Contains(g, StringComparer.OrdinalIgnoreCase));

    private async Task<CallerIdentity?> CallerAsync(HttpContext context)
    {
        var auth = await gate.AuthenticateAsync(context, context.RequestAborted);
        if (auth.Error is { } error)
        {
            await OpenAIError.WriteAsync(context, error);
            return null;
        }

        return auth.Value;
    }
}
