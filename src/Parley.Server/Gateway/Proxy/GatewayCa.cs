using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Data;
using Parley.Server.Platform.Security;

namespace Parley.Server.Gateway.Proxy;

/// <summary>The deployment's CA: its certificate, and its private key sealed under the master key. One row, shared by every node.</summary>
internal sealed class GatewayCaRow
{
    public required string Id { get; set; }
    public required byte[] Certificate { get; set; }
    public required byte[] PrivateKey { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class GatewayCaConfiguration : IEntityTypeConfiguration<GatewayCaRow>
{
    public void Configure(EntityTypeBuilder<GatewayCaRow> builder)
    {
        builder.ToTable("gateway_ca");
        builder.HasKey(c => c.Id);
    }
}

/// <summary>
/// The certificate authority the forward proxy intercepts TLS with (gateway.md): ECDSA P-256, valid 10 years, made
/// once per deployment by whichever node needs it first (the others read the same row; its key is sealed under the
/// master key), and per-host leaf certificates it issues, valid 24 hours and cached until an hour before they end. All
/// with the BCL's <see cref="CertificateRequest"/>. Validity follows the wall clock: clients check it against theirs.
/// </summary>
internal sealed class GatewayCa(IServiceScopeFactory scopes, SecretBox box) : IDisposable
{
    private const string RowId = "ca";
    private const string SealPurpose = "gateway-ca";
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly ConcurrentDictionary<string, (SslStreamCertificateContextHolder Context, DateTimeOffset RenewAt)> _leaves =
        new(StringComparer.OrdinalIgnoreCase);
    private X509Certificate2? _authority;

    public void Dispose()
    {
        _loading.Dispose();
        _authority?.Dispose();
    }

    /// <summary>The CA certificate as PEM (what <c>GET /v1/gateway/ca.pem</c> serves and clients trust).</summary>
    public async Task<string> PemAsync(CancellationToken ct) => (await AuthorityAsync(ct)).ExportCertificatePem();

    /// <summary>The server certificate (with the CA in its chain) for a host the proxy intercepts.</summary>
    public async Task<System.Net.Security.SslStreamCertificateContext> ContextForAsync(string host, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        if (_leaves.TryGetValue(host, out var cached) && cached.RenewAt > now)
        {
            return cached.Context.Context;
        }
        var authority = await AuthorityAsync(ct);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + (host.Length <= 64 ? host : host[..64]), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = request.Create(authority, now.AddHours(-1), now.AddHours(24), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var context = System.Net.Security.SslStreamCertificateContext.Create(leaf, [authority], offline: true);
        _leaves[host] = (new SslStreamCertificateContextHolder(context), now.AddHours(23));
        return context;
    }

    private async Task<X509Certificate2> AuthorityAsync(CancellationToken ct)
    {
        if (_authority is { } ready)
        {
            return ready;
        }
        await _loading.WaitAsync(ct);
        try
        {
            return _authority ??= await LoadOrCreateAsync(ct);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<X509Certificate2> LoadOrCreateAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        var row = await writes.Db.GatewayCa.AsNoTracking().FirstOrDefaultAsync(c => c.Id == RowId, ct);
        if (row is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Parley Gateway CA, O=Parley", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
            var candidate = new GatewayCaRow
            {
                Id = RowId, Certificate = made.Export(X509ContentType.Cert), PrivateKey = box.Seal(key.ExportPkcs8PrivateKey(), SealPurpose),
                CreatedAt = now.ToUnixTimeMilliseconds(),
            };
            try
            {
                await writes.RunAsync(_ =>
                {
                    writes.Db.GatewayCa.Add(candidate);
                    return Task.CompletedTask;
                }, ct);
            }
            catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
            {
                // Another node made it first: everyone uses that one.
            }
            row = await writes.Db.GatewayCa.AsNoTracking().FirstAsync(c => c.Id == RowId, ct);
        }
        using var certificate = X509CertificateLoader.LoadCertificate(row.Certificate);
        using var privateKey = ECDsa.Create();
        privateKey.ImportPkcs8PrivateKey(box.Open(row.PrivateKey, SealPurpose), out _);
        using var withKey = certificate.CopyWithPrivateKey(privateKey);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Keeps a context (a reference type the cache can hold alongside its renewal time).</summary>
    private sealed record SslStreamCertificateContextHolder(System.Net.Security.SslStreamCertificateContext Context);
}
