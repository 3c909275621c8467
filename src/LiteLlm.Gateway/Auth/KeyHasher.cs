using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace LiteLlm.Gateway.Auth;

/// <summary>Generates virtual keys, hashes them for storage and compares secrets in constant time.</summary>
public static class KeyHasher
{
    /// <summary>Generates a new key: <c>sk-</c> followed by 32 random bytes from the OS CSPRNG, base64url-encoded.</summary>
    public static string GenerateKey()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return "sk-" + Base64Url.EncodeToString(bytes);
    }

    /// <summary>Gets the SHA-256 of <paramref name="key"/> as lowercase hex: the key's id and what is stored.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Writes the SHA-256 of <paramref name="key"/>'s UTF-8 bytes into <paramref name="digest"/> (32 bytes), without allocating for usual key lengths.</summary>
    internal static void Digest(string key, Span<byte> digest)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= 512)
        {
            Span<byte> utf8 = stackalloc byte[512];
            var length = Encoding.UTF8.GetBytes(key, utf8);
            SHA256.HashData(utf8[..length], digest);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        }
    }

    /// <summary>Compares two secrets in constant time (their SHA-256 digests, so that lengths do not leak either).</summary>
    public static bool SecretEquals(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return false;
        }

        Span<byte> ha = stackalloc byte[32];
        Span<byte> hb = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(a), ha);
        SHA256.HashData(Encoding.UTF8.GetBytes(b), hb);
        return CryptographicOperations.FixedTimeEquals(ha, hb);
    }

    /// <summary>Gets the display form LiteLLM calls <c>key_name</c>: <c>sk-...abcd</c>.</summary>
    public static string DisplayName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length <= 8 ? "sk-..." : "sk-..." + key[^4..];
    }

    /// <summary>Gets whether <paramref name="value"/> looks like a stored hash (64 lowercase hex characters) rather than a key.</summary>
    public static bool LooksLikeHash(string value)
        => value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
