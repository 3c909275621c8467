using System.Globalization;

namespace LiteLlm.MockUpstream;

public sealed record MockOptions(int Port = 0, int DelayMs = 0, int Chunks = 10)
{
    public static MockOptions Parse(string[] args)
    {
        int Read(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new MockOptions(Read("--port", 9100), Read("--delay-ms", 0), Read("--chunks", 10));
    }
}

public static class Faults
{
    public static readonly string[] All =
    [
        "429", "500", "502", "503", "529", "slow-first-byte", "reset-mid-body", "reset-before-first-chunk",
        "reset-after-first-chunk", "malformed-json", "malformed-sse", "no-terminator", "slow-drip", "mid-stream-error",
        "context-window", "bad-key",
    ];
}
