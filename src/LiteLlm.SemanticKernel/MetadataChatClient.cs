using Microsoft.Extensions.AI;

namespace LiteLlm.SemanticKernel;

/// <summary>
/// Gives a client without <see cref="ChatClientMetadata"/> one: Semantic Kernel refuses chat clients that report none.
/// </summary>
internal sealed class MetadataChatClient : DelegatingChatClient
{
    private readonly ChatClientMetadata _metadata;

    private MetadataChatClient(IChatClient inner)
        : base(inner)
        => _metadata = new ChatClientMetadata("litellm");

    public static IChatClient Ensure(IChatClient client)
        => client.GetService<ChatClientMetadata>() is null ? new MetadataChatClient(client) : client;

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : base.GetService(serviceType, serviceKey);
    }
}
