using System.Security.Cryptography;

namespace Parley.Server.Platform.Security;

/// <summary>
/// Authenticated encryption (AES-256-GCM) of small values at rest under a key derived from the master key.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
internal sealed class SecretBox(MasterKey masterKey)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var result = new byte[1 + NonceSize + TagSize + plaintext.Length];
        result[0] = Version;
        var nonce = result.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(masterKey.Derive(purpose), TagSize);
        aes.Encrypt(nonce, plaintext, result.AsSpan(1 + NonceSize + TagSize), result.AsSpan(1 + NonceSize, TagSize), Purpose(purpose));
        return result;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedValue, string purpose)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Version)
        {
            throw new CryptographicException("Not a sealed value.");
        }
        var plaintext = new byte[sealedValue.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(masterKey.Derive(purpose), TagSize);
        aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue[(1 + NonceSize + TagSize)..], sealedValue.Slice(1 + NonceSize, TagSize), plaintext, Purpose(purpose));
        return plaintext;
    }

    private static byte[] Purpose(string purpose) => System.Text.Encoding.UTF8.GetBytes(purpose);
}
