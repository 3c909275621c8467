using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Http;

/// <summary>
/// MEAI's serialization metadata for <typeparamref name="T"/> (<see cref="AIJsonUtilities.DefaultOptions"/>, source-generated
/// for the MEAI types and <see cref="object"/>): serializing through it instead of through the options is what keeps a call
/// trim- and AOT-safe. Under the JIT the options fall back to reflection for other types, exactly as before.
/// </summary>
internal static class AIJson<T>
{
    /// <summary>The type information, resolved once.</summary>
    public static JsonTypeInfo<T> Info { get; } = (JsonTypeInfo<T>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));
}
