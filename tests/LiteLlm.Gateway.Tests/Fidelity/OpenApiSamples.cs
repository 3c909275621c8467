using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests.Fidelity;

/// <summary>
/// Sample values made from OpenAI's published OpenAPI description (../shared/specs/openai-openapi.json), so the field
/// matrices cover every property the spec lists, not the ones we thought of.
/// </summary>
public sealed class OpenApiSamples
{
    private readonly JsonElement _schemas;

    private OpenApiSamples(JsonElement schemas) => _schemas = schemas;

    public static OpenApiSamples Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "specs", "openai-openapi.json");
            if (File.Exists(candidate))
            {
                using var stream = File.OpenRead(candidate);
                var root = JsonDocument.Parse(stream).RootElement.Clone();
                return new OpenApiSamples(root.GetProperty("components").GetProperty("schemas"));
            }
        }

        Assert.Skip("The field matrix needs ../shared/specs/openai-openapi.json beside the checkout; it is absent on this machine.");
        return null!;
    }

    /// <summary>The properties of a component schema (allOf parts merged), in the spec's order.</summary>
    public IReadOnlyList<(string Name, JsonElement Schema)> Properties(string component)
    {
        var result = new List<(string, JsonElement)>();
        Collect(Resolve(_schemas.GetProperty(component)), result);
        return result;
    }

    /// <summary>A value for <paramref name="schema"/>: every property of objects when <paramref name="full"/>, else the required ones.</summary>
    public JsonNode? Sample(JsonElement schema, bool full, int depth = 0)
    {
        schema = Resolve(schema);
        if (depth > 7)
        {
            return "x";
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Null)
                {
                    return JsonNode.Parse(value.GetRawText());
                }
            }
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            return JsonNode.Parse(constant.GetRawText());
        }

        if (schema.TryGetProperty("allOf", out _) || schema.TryGetProperty("properties", out _))
        {
            var properties = new List<(string Name, JsonElement Schema)>();
            Collect(schema, properties);
            if (properties.Count > 0)
            {
                var required = Required(schema);
                var obj = new JsonObject();
                foreach (var (name, property) in properties)
                {
                    if (full || required.Contains(name))
                    {
                        obj[name] = Sample(property, full, depth + 1);
                    }
                }

                if (obj.Count == 0)
                {
                    obj[properties[0].Name] = Sample(properties[0].Schema, full, depth + 1);
                }

                return obj;
            }
        }

        foreach (var union in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(union, out var choices))
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    var resolved = Resolve(choice);
                    if (!(resolved.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"))
                    {
                        return Sample(resolved, full, depth + 1);
                    }
                }
            }
        }

        var type = schema.TryGetProperty("type", out var typeElement)
            ? typeElement.ValueKind == JsonValueKind.Array ? typeElement.EnumerateArray().Select(e => e.GetString()).First(n => n != "null") : typeElement.GetString()
            : null;
        switch (type)
        {
            case "string":
                return "sample";
            case "integer":
                return (long)(Bound(schema, "minimum") is { } min && min > 0 ? min : Bound(schema, "maximum") is { } max && max < 1 ? max : 1);
            case "number":
                var low = Bound(schema, "minimum") ?? 0;
                var high = Bound(schema, "maximum") ?? low + 2;
                return low + ((high - low) / 4);
            case "boolean":
                return true;
            case "array":
                return new JsonArray(schema.TryGetProperty("items", out var items) ? Sample(items, full, depth + 1) : "x");
            case "object":
                if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
                {
                    return new JsonObject { ["key"] = Sample(additional, full, depth + 1) };
                }

                return new JsonObject { ["key"] = "value" };
            default:
                return "x";
        }
    }

    private static double? Bound(JsonElement schema, string name)
        => schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private HashSet<string> Required(JsonElement schema)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray())
            {
                result.Add(name.GetString()!);
            }
        }

        if (schema.TryGetProperty("allOf", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                result.UnionWith(Required(Resolve(part)));
            }
        }

        return result;
    }

    private void Collect(JsonElement schema, List<(string Name, JsonElement Schema)> into)
    {
        if (schema.TryGetProperty("allOf", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                Collect(Resolve(part), into);
            }
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                var index = into.FindIndex(p => p.Name == property.Name);
                if (index >= 0)
                {
                    into[index] = (property.Name, property.Value);
                }
                else
                {
                    into.Add((property.Name, property.Value));
                }
            }
        }
    }

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            schema = _schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return schema;
    }
}
