using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Protocol.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>POST /embeddings, in float or base64 (little-endian float32) encoding.</summary>
internal static class EmbeddingEndpoints
{
    public static Task EmbeddingsAsync(HttpContext context)
    {
        var service = context.RequestServices.GetRequiredService<InferenceService>();
        return service.RunAsync(context, "/embeddings", async (call, ct) =>
        {
            var request = await InferenceService.ReadAsync(context, GatewayJson.Context.EmbeddingRequest, ct).ConfigureAwait(false);
            var model = ChatRequestParser.RequireModel(request.Model);
            var inputs = InferenceService.Parse(() => Inputs(request.Input));
            var base64 = request.EncodingFormat switch
            {
                null or "float" => false,
                "base64" => true,
                var other => throw GatewayErrors.Invalid($"'encoding_format' must be 'float' or 'base64', not '{other}'.", "encoding_format"),
            };
            if (request.Dimensions is <= 0)
            {
                throw GatewayErrors.Invalid("'dimensions' must be a positive integer.", "dimensions");
            }

            var options = new EmbeddingGenerationOptions
            {
                ModelId = model,
                Dimensions = request.Dimensions,
                AdditionalProperties = ChatRequestParser.PassThrough(request.Extra),
            };
            options.AdditionalProperties["metadata"] = ChatRequestParser.Metadata(call.Caller, null, request.User);
            call.EndUser = request.User;
            await service.AdmitAsync(call, model, inputs.Sum(i => (i.Length / 4) + 1), ct).ConfigureAwait(false);

            var started = Stopwatch.GetTimestamp();
            GeneratedEmbeddings<Embedding<float>> result;
            try
            {
                result = await service.Embeddings.GenerateAsync(inputs, options, ct).ConfigureAwait(false);
            }
            finally
            {
                call.AddPipelineTime(started);
            }

            call.Absorb(result.AdditionalProperties);
            if (result.Usage is { } usage)
            {
                call.AbsorbUsage(usage);
            }

            call.ModelId = result.FirstOrDefault()?.ModelId;
            var prompt = result.Usage?.InputTokenCount ?? 0;
            var usageDto = new EmbeddingUsageDto { PromptTokens = prompt, TotalTokens = result.Usage?.TotalTokenCount ?? prompt };
            var responseModel = call.ModelId ?? model;
            if (base64)
            {
                var body = new EmbeddingResponse<string>
                {
                    Model = responseModel,
                    Usage = usageDto,
                    Data = result.Select((e, i) => new EmbeddingItem<string> { Index = i, Embedding = ToBase64(e.Vector.Span) }).ToList(),
                };
                await ChatEndpoints.WriteJsonAsync(call, body, GatewayJson.Context.EmbeddingResponseString, ct).ConfigureAwait(false);
            }
            else
            {
                var body = new EmbeddingResponse<float[]>
                {
                    Model = responseModel,
                    Usage = usageDto,
                    Data = result.Select((e, i) => new EmbeddingItem<float[]> { Index = i, Embedding = e.Vector.ToArray() }).ToList(),
                };
                await ChatEndpoints.WriteJsonAsync(call, body, GatewayJson.Context.EmbeddingResponseSingleArray, ct).ConfigureAwait(false);
            }
        });
    }

    internal static string ToBase64(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    private static List<string> Inputs(JsonElement? input)
    {
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } s:
                return [s.GetString()!];
            case { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() > 0:
                var list = new List<string>(a.GetArrayLength());
                foreach (var item in a.EnumerateArray())
                {
                    list.Add(item.ValueKind switch
                    {
                        JsonValueKind.String => item.GetString()!,
                        JsonValueKind.Number or JsonValueKind.Array => throw GatewayErrors.Invalid("Token-id inputs are not supported; send text.", "input"),
                        _ => throw GatewayErrors.Invalid("'input' must be a string or an array of strings.", "input"),
                    });
                }

                return list;
            case { ValueKind: JsonValueKind.Array }:
                throw GatewayErrors.Invalid("'input' must not be empty.", "input");
            default:
                throw GatewayErrors.Invalid("'input' is required and must be a string or an array of strings.", "input");
        }
    }
}
