using System.Runtime.InteropServices;
using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>POST /v1/embeddings: float or base64 (little-endian float32, what the official SDKs ask for by default).</summary>
internal sealed class EmbeddingsEndpoint(IEmbeddingGenerator<string, Embedding<float>> generator, LiteLlm.Configuration.LiteLlmRuntime runtime, IRequestGate gate, ISpendSink spend)
{
    public async Task HandleAsync(HttpContext context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var facts = new CallFacts("emb-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
        var ct = context.RequestAborted;
        try
        {
            var auth = await gate.AuthenticateAsync(context, ct);
            if (auth.Error is { } authError)
            {
                await OpenAIError.WriteAsync(context, authError);
                return;
            }

            using var doc = await ChatCompletionsEndpoint.ReadJsonAsync(context, ct);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw RequestException.Invalid("body", "The request body must be a JSON object.");
            }

            var model = JsonRead.RequiredString(root, "model");
            if (!runtime.Router.HasModelGroup(model))
            {
                throw new RequestException(new GatewayError(404, $"The model '{model}' does not exist on this gateway.", "invalid_request_error", "model_not_found", "model"));
            }

            var inputs = Inputs(root);
            var base64 = (JsonRead.OptionalString(root, "encoding_format", "encoding_format") ?? "float") switch
            {
                "float" => false,
                "base64" => true,
                var other => throw RequestException.Invalid("encoding_format", $"'encoding_format' must be float or base64; got '{other}'."),
            };
            var options = new EmbeddingGenerationOptions { ModelId = model, Dimensions = JsonRead.Int(root, "dimensions", 1, 65536) };
            facts.Caller = auth.Value!;
            facts.ModelGroup = model;
            var admitted = await gate.AdmitAsync(facts.Caller, model, inputs.Sum(i => i.Length / 4), ct);
            if (admitted.Error is { } refusal)
            {
                await OpenAIError.WriteAsync(context, refusal);
                return;
            }

            await using (admitted.Value!)
            {
                var result = await generator.GenerateAsync(inputs, options, ct);
                facts.Read(result.AdditionalProperties, result.Usage, model);
                context.Response.ContentType = "application/json";
                await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                for (var i = 0; i < result.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("object", "embedding");
                    w.WriteNumber("index", i);
                    if (base64)
                    {
                        w.WriteBase64String("embedding", MemoryMarshal.AsBytes(result[i].Vector.Span)); // little-endian on every platform .NET runs on here
                    }
                    else
                    {
                        w.WriteStartArray("embedding");
                        foreach (var value in result[i].Vector.Span)
                        {
                            w.WriteNumberValue(value);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("model", model);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", result.Usage?.InputTokenCount ?? 0);
                w.WriteNumber("total_tokens", result.Usage?.TotalTokenCount ?? result.Usage?.InputTokenCount ?? 0);
                w.WriteEndObject();
                w.WriteEndObject();
                facts.Status = "success";
            }
        }
        catch (RequestException e)
        {
            await OpenAIError.WriteAsync(context, e.Error);
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
        {
            await OpenAIError.WriteAsync(context, new GatewayError(400, "The request body is not valid UTF-8.", "invalid_request_error", "invalid_encoding"));
        }
        catch (NotSupportedException e)
        {
            await OpenAIError.WriteAsync(context, new GatewayError(400, e.Message, "invalid_request_error", "embeddings_not_supported", "model"));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            facts.Status = "client_disconnected";
        }
        catch (LiteLlmException e)
        {
            facts.Status = e.Kind.ToString();
            await OpenAIError.WriteAsync(context, OpenAIError.From(e));
        }
        finally
        {
            if (facts.ModelGroup is not null)
            {
                spend.Record(facts.ToRecord(started, "/embeddings"));
            }
        }
    }

    private static List<string> Inputs(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input))
        {
            throw RequestException.Invalid("input", "'input' is required: a string or an array of strings.");
        }

        var list = input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array when input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                => input.EnumerateArray().Select(e => e.GetString()!).ToList(),
            JsonValueKind.Array when input.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Number or JsonValueKind.Array)
                => throw RequestException.Invalid("input", "Token-array inputs are not supported; send text."),
            _ => throw RequestException.Invalid("input", "'input' must be a string or a non-empty array of strings."),
        };
        return list.Count <= 2048 ? list : throw RequestException.Invalid("input", "'input' may hold at most 2048 strings.");
    }
}
