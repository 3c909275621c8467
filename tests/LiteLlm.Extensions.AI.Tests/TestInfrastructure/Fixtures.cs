namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>Recorded provider transcripts from ../shared/fixtures (beside the checkout).</summary>
public static class Fixtures
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    });

    /// <summary>Reads a fixture, or skips the test with a clear message when shared/ is absent.</summary>
    public static string Read(string relativePath)
    {
        var root = Root.Value;
        if (root is null)
        {
            Assert.Skip($"Recorded fixture '{relativePath}' needs ../shared/fixtures beside the checkout; it is absent on this machine.");
        }

        return File.ReadAllText(Path.Combine(root!, relativePath));
    }
}
