using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Data;

namespace Parley.Server.Platform.Security;

/// <summary>
/// ASP.NET Core data protection (what signs the dashboard's antiforgery tokens) with its key ring in the database, so
/// every node reads the same keys (the maintained EF Core store), each key sealed with the server's master key before
/// it is stored: the table holds no usable secret on its own.
/// </summary>
internal static class DataProtectionKeys
{
    public static IServiceCollection AddParleyDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("parley").PersistKeysToDbContext<ParleyDb>();
        services.AddOptions<KeyManagementOptions>().Configure<SecretBox>((options, box) => options.XmlEncryptor = new MasterKeyXmlEncryptor(box));
        return services;
    }
}

/// <summary>Seals a data-protection key's XML with the master key (AES-256-GCM, <see cref="SecretBox"/>).</summary>
internal sealed class MasterKeyXmlEncryptor(SecretBox box) : IXmlEncryptor
{
    public const string Purpose = "data-protection-key";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var sealedKey = box.Seal(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), Purpose);
        return new EncryptedXmlInfo(new XElement("sealedKey", Convert.ToBase64String(sealedKey)), typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Opens what <see cref="MasterKeyXmlEncryptor"/> sealed (made by the key ring with the service provider).</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(Encoding.UTF8.GetString(services.GetRequiredService<SecretBox>().Open(Convert.FromBase64String(encryptedElement.Value), MasterKeyXmlEncryptor.Purpose)));
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Id);
    }
}
