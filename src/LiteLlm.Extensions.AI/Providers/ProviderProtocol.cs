namespace LiteLlm.Providers;

/// <summary>The wire protocols the library speaks. Many providers share one (every OpenAI-compatible host).</summary>
public enum ProviderProtocol
{
    /// <summary>OpenAI Chat Completions and Embeddings, and every compatible host.</summary>
    OpenAI,

    /// <summary>Azure OpenAI deployments (<c>/openai/deployments/{name}</c>, <c>api-key</c>, <c>api-version</c>).</summary>
    AzureOpenAI,

    /// <summary>Anthropic Messages.</summary>
    Anthropic,

    /// <summary>Ollama's native <c>/api/chat</c> and <c>/api/embed</c>.</summary>
    Ollama,

    /// <summary>Google Gemini <c>generateContent</c>.</summary>
    Gemini,

    /// <summary>AWS Bedrock Converse.</summary>
    Bedrock,

    /// <summary>Cohere v2 chat.</summary>
    Cohere,

    /// <summary>The offline mock provider.</summary>
    Mock,

    /// <summary>A provider registered by the application with its own client factory.</summary>
    Custom,
}
