using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Models;

public sealed class ModelResolverTests
{
    private readonly ModelResolver _resolver = new(new ProviderRegistry(), ModelCatalog.Default);

    [Theory]
    [InlineData("openai/gpt-4o", "openai", "gpt-4o")]
    [InlineData("azure/my-deployment", "azure", "my-deployment")]
    [InlineData("anthropic/claude-3-5-sonnet-20240620", "anthropic", "claude-3-5-sonnet-20240620")]
    [InlineData("ollama/llama3", "ollama", "llama3")]
    [InlineData("ollama_chat/llama3", "ollama_chat", "llama3")]
    [InlineData("mock/anything", "mock", "anything")]
    [InlineData("together_ai/meta-llama/Llama-3-70b-chat-hf", "together_ai", "meta-llama/Llama-3-70b-chat-hf")]
    [InlineData("openai/meta-llama/Llama-3.1-8B", "openai", "meta-llama/Llama-3.1-8B")]
    [InlineData("hosted_vllm/qwen", "hosted_vllm", "qwen")]
    [InlineData("lm_studio/qwen", "lm_studio", "qwen")]
    public void PrefixedStrings_ResolveByPrefix(string model, string provider, string name)
    {
        var resolved = _resolver.Resolve(model);
        Assert.Equal(provider, resolved.Provider.Name);
        Assert.Equal(name, resolved.Model);
        Assert.Equal(model, resolved.Requested);
    }

    [Theory]
    [InlineData("groq/llama-3.1-8b-instant", "groq")]
    [InlineData("gpt-4o-mini", "openai")]
    [InlineData("claude-3-5-haiku-20241022", "anthropic")]
    [InlineData("nosuchprovider/model", null)]
    [InlineData("my-fine-model", null)]
    public void FactoryFindProvider_NamesTheProvider_OrNullForAnUnknownString(string model, string? provider)
    {
        using var factory = new LiteLlmClientFactory();
        Assert.Equal(provider, factory.FindProvider(model)?.Name);
    }

    [Theory]
    [InlineData("gpt-4o-mini", "openai")]
    [InlineData("claude-3-5-haiku-20241022", "anthropic")]
    [InlineData("text-embedding-3-small", "openai")]
    [InlineData("claude-some-future-model", "anthropic")]
    [InlineData("gpt-9-preview", "openai")]
    public void BareNames_ResolveThroughTheCatalogOrFamily(string model, string provider)
    {
        var resolved = _resolver.Resolve(model);
        Assert.Equal(provider, resolved.Provider.Name);
        Assert.Equal(model, resolved.Model);
    }

    [Fact]
    public void CatalogEntries_AreAttached()
    {
        var resolved = _resolver.Resolve("gpt-4o-mini");
        Assert.NotNull(resolved.Info);
        Assert.Equal(128000, resolved.Info!.MaxInputTokens);
        Assert.Equal(0.00000015m, resolved.Info.InputCostPerToken);
        Assert.True(resolved.Info.Supports("function_calling"));
        Assert.Equal("groq", _resolver.Resolve("groq/llama-3.1-8b-instant").Info?.Provider);
    }

    [Theory]
    [InlineData("nosuchprovider/model", "Unknown provider 'nosuchprovider'")]
    [InlineData("my-fine-model", "Unknown model 'my-fine-model'")]
    [InlineData("openai/", "names the provider 'openai' but no model")]
    [InlineData("", "No model was given")]
    public void UnknownModels_AreClearErrorsNamingTheAcceptedForms(string model, string expected)
    {
        var error = Assert.Throws<UnknownModelException>(() => _resolver.Resolve(model));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.HttpStatus);
        if (model.Length > 0 && model != "openai/")
        {
            Assert.Contains("'<provider>/<model>'", error.Message, StringComparison.Ordinal);
            Assert.Contains("groq", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CustomProviders_ResolveLikeBuiltIns()
    {
        var registry = new ProviderRegistry();
        registry.RegisterCustom("my-llm", new Providers.CustomFactory());
        var resolved = new ModelResolver(registry, ModelCatalog.Default).Resolve("my-llm/v2");
        Assert.Equal(ProviderProtocol.Custom, resolved.Provider.Protocol);
        Assert.Equal("v2", resolved.Model);
    }

    [Fact]
    public void Catalog_IsEmbeddedAndOverridable()
    {
        Assert.True(ModelCatalog.EmbeddedCount > 2000);
        var catalog = new ModelCatalog();
        catalog.Register(new ModelInfo { Name = "gpt-4o-mini", Provider = "openai", InputCostPerToken = 1m });
        Assert.Equal(1m, catalog.Find("gpt-4o-mini")!.InputCostPerToken);
        Assert.Equal(0.00000015m, ModelCatalog.Default.Find("gpt-4o-mini")!.InputCostPerToken);
    }
}
