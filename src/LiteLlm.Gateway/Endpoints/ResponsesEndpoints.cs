using System.Text;
using System.Text.Json;
using LiteLlm.Cost;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol.Responses;
using LiteLlm.Gateway.Storage;
using LiteLlm.Providers;
using LiteLlm.Providers.OpenAIResponses;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>
/// The OpenAI Responses API: <c>POST /responses</c> (streamed or not) through the same envelope as chat (keys, model
/// access, budgets, rate limits, routing, fallbacks, cost, spend), bridged to every provider through the pipeline; stored
/// responses (<c>GET</c>, <c>DELETE</c>, <c>input_items</c>, <c>cancel</c>) belong to the key that created them.
/// </summary>
internal static class ResponsesEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var prefix in new[] { string.Empty, "/v1" })
        {
            endpoints.MapMethods(prefix + "/responses", ["POST"], CreateAsync);
            endpoints.MapMethods(prefix + "/responses/input_tokens", ["POST"], InputTokensAsync);
            endpoints.MapMethods(prefix + "/responses/{id}", ["GET"], RetrieveAsync);
            endpoints.MapMethods(prefix + "/responses/{id}", ["DELETE"], DeleteAsync);
            endpoints.MapMethods(prefix + "/responses/{id}/input_items", ["GET"], InputItemsAsync);
            endpoints.MapMethods(prefix + "/responses/{id}/cancel", ["POST"], CancelAsync);
        }
    }

    public static Task CreateAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        var store = context.RequestServices.GetRequiredService<IResponseStore>();
        return service.RunAsync(context, "/responses", async (call, ct) =>
        {
            using var document = await ReadBodyAsync(context, ct).ConfigureAwait(false);
            var body = document.RootElement;
            var history = await HistoryAsync(store, call.Caller, body, ct).ConfigureAwait(false);
            var parsed = InferenceService.Parse(() => ResponsesRequestParser.Parse(body, call.Caller, history, Native(service, body)));
            call.UseMetadataOf(parsed.Options);
            await service.AdmitAsync(call, parsed.Model, parsed.Messages, parsed.Options, ct).ConfigureAwait(false);
            var builder = new ResponseBuilder(call.Id, parsed.Model, body, parsed.Store, parsed.Stream, call.State.StartTime);
            if (parsed.Stream)
            {
                var updates = service.Pipeline.GetStreamingResponseAsync(parsed.Messages, parsed.Options, ct);
                await ResponsesStream.RunAsync(call, updates, builder, parsed.PreviousResponseId, service.Options.StreamKeepAliveInterval, (final, t) => SaveAsync(store, call, parsed, final, t), ct).ConfigureAwait(false);
                return;
            }

            var response = await ChatEndpoints.CallAsync(call, service.Pipeline, parsed.Messages, parsed.Options, ct).ConfigureAwait(false);
            byte[] answer;
            if (WireJson.As(response.RawRepresentation, WireFormat.OpenAIResponses) is { Json.ValueKind: JsonValueKind.Object } wire)
            {
                // Same protocol: the provider's object as it sent it, with the gateway's id (what GET and chaining know).
                answer = ProviderResponses.Rewrite(wire.Json, builder.Id, parsed.PreviousResponseId);
            }
            else
            {
                builder.Model = response.ModelId ?? parsed.Model;
                foreach (var message in response.Messages)
                {
                    builder.Add(message.Contents);
                }

                builder.Complete(response.Usage, response.FinishReason);
                answer = ResponseBuilder.ToJson(builder.WriteResponse);
            }

            await SaveAsync(store, call, parsed, answer, ct).ConfigureAwait(false);
            await WriteAsync(call, answer, ct).ConfigureAwait(false);
        });
    }

    /// <summary>Whether every deployment of the requested model is served over the Responses API (then built-in tools pass through).</summary>
    private static bool Native(InferenceService service, JsonElement body)
    {
        if (InferenceService.Parse(() => ResponsesRequestParser.Str(body, "model")) is not { Length: > 0 } model || !service.Runtime.Router.HasModelGroup(model))
        {
            return false;
        }

        var deployments = service.Runtime.Router.DeploymentsOf(model);
        return deployments.Count > 0 && deployments.All(ResponsesApi.Serves);
    }

    public static Task RetrieveAsync(HttpContext context) => Stored(context, "/responses/{id}", async (call, stored, _, ct) =>
        await WriteAsync(call, Encoding.UTF8.GetBytes(stored.Response), ct).ConfigureAwait(false));

    public static Task DeleteAsync(HttpContext context) => Stored(context, "/responses/{id}", async (call, stored, store, ct) =>
    {
        await store.DeleteAsync(stored.Id, ct).ConfigureAwait(false);
        await WriteAsync(call, ResponseBuilder.ToJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", stored.Id);
            w.WriteString("object", "response.deleted");
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
        }), ct).ConfigureAwait(false);
    });

    public static Task CancelAsync(HttpContext context) => Stored(context, "/responses/{id}/cancel", (_, _, _, _) =>
        throw GatewayErrors.Invalid("Only responses created with background=true can be cancelled; this response has already finished.", "response_id"));

    public static Task InputItemsAsync(HttpContext context) => Stored(context, "/responses/{id}/input_items", async (call, stored, _, ct) =>
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], out var l) ? l : 20;
        if (limit is < 1 or > 100)
        {
            throw GatewayErrors.Invalid("'limit' must be between 1 and 100.", "limit");
        }

        using var document = JsonDocument.Parse(stored.InputItems);
        var items = document.RootElement.EnumerateArray().ToList();
        if (query["order"] is { Count: > 0 } order && order[0] != "asc" && order[0] != "desc")
        {
            throw GatewayErrors.Invalid("'order' must be 'asc' or 'desc'.", "order");
        }

        if (query["order"] != "asc")
        {
            items.Reverse(); // newest first, as OpenAI lists them by default
        }

        if (query["after"] is { Count: > 0 } after && !string.IsNullOrEmpty(after[0]))
        {
            var at = items.FindIndex(i => ResponsesRequestParser.Str(i, "id") == after[0]);
            items = at < 0 ? [] : items[(at + 1)..];
        }

        var page = items.Take(limit).ToList();
        await WriteAsync(call, ResponseBuilder.ToJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var item in page)
            {
                item.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteString("first_id", page.Count > 0 ? ResponsesRequestParser.Str(page[0], "id") : null);
            w.WriteString("last_id", page.Count > 0 ? ResponsesRequestParser.Str(page[^1], "id") : null);
            w.WriteBoolean("has_more", items.Count > page.Count);
            w.WriteEndObject();
        }), ct).ConfigureAwait(false);
    });

    /// <summary>POST /responses/input_tokens: the prompt's tokens by the library's tokenizer (no provider call, nothing billed).</summary>
    public static Task InputTokensAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        var store = context.RequestServices.GetRequiredService<IResponseStore>();
        return service.RunAsync(context, "/responses/input_tokens", async (call, ct) =>
        {
            using var document = await ReadBodyAsync(context, ct).ConfigureAwait(false);
            var history = await HistoryAsync(store, call.Caller, document.RootElement, ct).ConfigureAwait(false);
            var parsed = InferenceService.Parse(() => ResponsesRequestParser.Parse(document.RootElement, call.Caller, history, Native(service, document.RootElement)));
            if (!service.Runtime.Router.HasModelGroup(parsed.Model))
            {
                throw new GatewayRequestException(GatewayErrors.ModelNotFound(parsed.Model, $"The model '{parsed.Model}' is not served by this gateway."));
            }

            var tokens = TokenCounter.CountTokens(parsed.Messages, parsed.Model, parsed.Options.Tools);
            await WriteAsync(call, ResponseBuilder.ToJson(w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "response.input_tokens");
                w.WriteNumber("input_tokens", tokens);
                w.WriteEndObject();
            }), ct).ConfigureAwait(false);
        });
    }

    /// <summary>Runs <paramref name="action"/> on the caller's stored response named by the route; anyone else's is a 404, as a missing one.</summary>
    private static Task Stored(HttpContext context, string endpoint, Func<InferenceCall, StoredResponse, IResponseStore, CancellationToken, Task> action)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        var store = context.RequestServices.GetRequiredService<IResponseStore>();
        return service.RunAsync(context, endpoint, async (call, ct) =>
        {
            var id = context.Request.RouteValues["id"] as string ?? string.Empty;
            var stored = await store.GetAsync(id, ct).ConfigureAwait(false);
            if (stored is null || !CanAccess(stored, call.Caller))
            {
                throw new GatewayRequestException(NotFound(id, "response_id"));
            }

            await action(call, stored, store, ct).ConfigureAwait(false);
        });
    }

    private static bool CanAccess(StoredResponse stored, CallerIdentity caller) => caller.IsMaster || stored.Owner == caller.KeyId;

    private static GatewayError NotFound(string id, string param)
        => new(StatusCodes.Status404NotFound, $"Response with id '{id}' not found.", "invalid_request_error", "not_found", param);

    /// <summary>The items of the stored chain ending at <c>previous_response_id</c>: each response's input, then its output.</summary>
    private static async Task<List<JsonElement>> HistoryAsync(IResponseStore store, CallerIdentity caller, JsonElement body, CancellationToken cancellationToken)
    {
        if (body.ValueKind != JsonValueKind.Object || InferenceService.Parse(() => ResponsesRequestParser.Str(body, "previous_response_id")) is not { Length: > 0 } previous)
        {
            return [];
        }

        var chain = await store.GetChainAsync(previous, cancellationToken).ConfigureAwait(false);
        if (chain.Count == 0 || !CanAccess(chain[^1], caller))
        {
            throw new GatewayRequestException(NotFound(previous, "previous_response_id") with { Message = $"Previous response with id '{previous}' not found." });
        }

        var items = new List<JsonElement>();
        foreach (var response in chain)
        {
            items.AddRange(ProviderResponses.Replayable(JsonDocument.Parse(response.InputItems).RootElement));
            items.AddRange(ProviderResponses.Replayable(JsonDocument.Parse(response.Output).RootElement));
        }

        return items;
    }

    /// <summary>Stores the final response object <paramref name="response"/> with the request's input, unless <c>store</c> is false.</summary>
    private static Task SaveAsync(IResponseStore store, InferenceCall call, ParsedResponsesRequest parsed, byte[] response, CancellationToken cancellationToken)
    {
        if (!parsed.Store)
        {
            return Task.CompletedTask;
        }

        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        var id = ResponsesRequestParser.Str(root, "id")!;
        var output = root.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.Array ? o.GetRawText() : "[]";
        var input = ResponseBuilder.ToJson(w => StoredItems.Write(w, parsed.InputItems, id));
        return store.SaveAsync(
            new StoredResponse(id, call.Caller.KeyId, parsed.PreviousResponseId, call.State.StartTime, Encoding.UTF8.GetString(response), Encoding.UTF8.GetString(input), output),
            cancellationToken);
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayRequestException(new GatewayError(415, $"Content-Type must be application/json; got '{contentType}'.", "invalid_request_error", "unsupported_media_type"));
        }

        try
        {
            return await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new GatewayRequestException(GatewayErrors.FromException(e));
        }
    }

    private static async Task WriteAsync(InferenceCall call, byte[] body, CancellationToken cancellationToken)
    {
        call.ApplyHeaders();
        var response = call.Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
