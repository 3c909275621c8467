using System.Security.Cryptography;
using System.Text;

namespace LiteLlm.Gateway.Storage;

/// <summary>
/// Seals a stored deployment's <c>litellm_params</c> with AES-256-GCM under a key derived (HKDF-SHA256) from
/// <c>LITELLM_SALT_KEY</c>, or the master key when that is not set — as LiteLLM encrypts them with the same two secrets.
/// The whole document is sealed, so every credential (api_key, aws keys, headers, any other field) is unreadable at rest,
/// and <c>os.environ/NAME</c> references stay references. The model id is the associated data: a sealed document
/// copied onto another row does not open.
/// </summary>
internal sealed class ModelSecrets
{
    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = Encoding.UTF8.GetBytes("litellm-dotnet model litellm_params v1");

    private readonly byte[] _key;

    /// <summary>Creates the sealer from <paramref name="secret"/> (<c>LITELLM_SALT_KEY</c>, else the master key).</summary>
    public ModelSecrets(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: null, info: Info);
    }

    /// <summary>Picks the secret as LiteLLM does: <c>LITELLM_SALT_KEY</c> when set, else the master key.</summary>
    public static ModelSecrets? From(Func<string, string?> environment, string? masterKey)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var secret = environment("LITELLM_SALT_KEY") is { Length: > 0 } salt ? salt : masterKey;
        return string.IsNullOrEmpty(secret) ? null : new ModelSecrets(secret);
    }

    public string Seal(string modelId, string plaintext)
    {
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + clear.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceSize, clear.Length), sealedBytes.AsSpan(NonceSize + clear.Length), Encoding.UTF8.GetBytes(modelId));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>Opens a sealed document; null when it was sealed under another key, for another row, or altered.</summary>
    public string? Open(string modelId, string sealedText)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        if (!sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        byte[] data;
        try
        {
            data = Convert.FromBase64String(sealedText[Prefix.Length..]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (data.Length < NonceSize + TagSize)
        {
            return null;
        }

        var clear = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, clear.Length), data.AsSpan(NonceSize + clear.Length), clear, Encoding.UTF8.GetBytes(modelId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(clear);
    }
}
