using System.Text.Json.Nodes;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>Compares JSON by structure and value, not by formatting or key order.</summary>
public static class JsonAssert
{
    public static void Equal(string expected, string? actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual ?? "null");
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }
}
