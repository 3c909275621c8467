using LiteLlm.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace LiteLlm.SemanticKernel.Tests;

public class RegistrationTests
{
    [Fact]
    public void ModelString_IsTheDefaultChatClient_WithMetadataAndKernelFunctionInvocation()
    {
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmChatClient("mock/sk");
        var client = kb.Build().GetRequiredService<IChatClient>();

        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("mock/sk", metadata.DefaultModelId);
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());
        Assert.NotNull(client.GetService<LiteLlmChatClient>());
    }

    [Fact]
    public async Task ClientWithoutMetadata_IsGivenSome_SoTheKernelAcceptsIt()
    {
        using var bare = new BareClient();
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmChatClient(bare, serviceId: "bare");
        var kernel = kb.Build();

        var result = await kernel.InvokePromptAsync("ping", new(new PromptExecutionSettings { ServiceId = "bare" }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("pong", result.ToString());
        Assert.NotNull(kernel.GetRequiredService<IChatClient>("bare").GetService<ChatClientMetadata>());
    }

    [Fact]
    public void PipelineThatInvokesFunctions_IsNotWrappedTwice()
    {
        var pipeline = new ChatClientBuilder(new LiteLlmChatClient("mock/x")).UseFunctionInvocation().Build();
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmChatClient(pipeline);

        Assert.Same(pipeline, kb.Build().GetRequiredService<IChatClient>());
    }

    [Fact]
    public void Router_IsRegisteredUnderItsServiceId()
    {
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmRouter(new RouterOptions { Deployments = { new Deployment { ModelGroup = "g", Model = "mock/a" } } }, serviceId: "router");
        var client = kb.Build().GetRequiredService<IChatClient>("router");

        Assert.NotNull(client.GetService<LiteLlmRouter>());
        Assert.Equal("g", client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task EmbeddingGenerator_ByModelString()
    {
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmEmbeddingGenerator("mock/embed");
        var generator = kb.Build().GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var embeddings = await generator.GenerateAsync(["a", "b", "a"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, embeddings.Count);
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[2].Vector.ToArray());
        Assert.NotEqual(embeddings[0].Vector.ToArray(), embeddings[1].Vector.ToArray());
    }

    private sealed class BareClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "pong")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
