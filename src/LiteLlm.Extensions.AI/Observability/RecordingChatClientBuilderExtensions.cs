using LiteLlm.Observability;

namespace Microsoft.Extensions.AI;

/// <summary>Adds call recording (<see cref="RecordingChatClient"/>) to a chat pipeline.</summary>
public static class RecordingChatClientBuilderExtensions
{
    /// <summary>Records every call of the pipeline to a JSONL file that a <c>mock/replay</c> deployment plays back.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="filePath">The JSONL file calls are appended to.</param>
    /// <param name="configure">Changes the settings (e.g. adds fields to redact).</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseRecording(this ChatClientBuilder builder, string filePath, Action<RecordingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var options = new RecordingOptions { FilePath = filePath };
        configure?.Invoke(options);
        return builder.Use(inner => new RecordingChatClient(inner, options));
    }
}
