using System.Text.Json.Nodes;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>Compares JSON by meaning (property order and whitespace do not matter).</summary>
public static class JsonAssert
{
    public static void Equal(string expected, string? actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual ?? "null");
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nExpected: {e?.ToJsonString()}\nActual:   {a?.ToJsonString()}");
    }
}
