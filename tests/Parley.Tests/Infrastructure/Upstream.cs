using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// A real upstream on loopback for gateway tests (Kestrel, plain HTTP or HTTPS with a certificate from the test's own
/// CA). It records every request it receives, and answers by path: <c>/status/{code}</c> that status, <c>/slow</c>
/// never (the caller's timeout decides), <c>/big</c> 11 MiB, <c>/bytes</c> binary; anything else answers its method and body size
/// as JSON.
/// </summary>
public sealed class Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _never = new();

    public sealed record Seen(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    private Upstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public ConcurrentQueue<Seen> Requests { get; } = new();

    /// <summary>Answers a test sets for a path: status, content type and body (before the built-in paths).</summary>
    public ConcurrentDictionary<string, Func<Seen, (int Status, string ContentType, string Body)>> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts on <paramref name="address"/> (127.0.0.1 by default; an HTTPS upstream there is named localhost).</summary>
    public static async Task<Upstream> StartAsync(X509Certificate2? certificate = null, IPAddress? address = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(address ?? IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        var upstream = new Upstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        upstream.BaseAddress = certificate is null || address is not null ? bound : new UriBuilder(bound) { Host = "localhost" }.Uri;
        return upstream;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    /// <summary>The host and port as a vault or rule pattern names them.</summary>
    public string HostPattern => $"{BaseAddress.Host}:{BaseAddress.Port}";

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var seen = new Seen(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "",
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body.ToArray());
        Requests.Enqueue(seen);
        var path = seen.Path;
        if (Answers.TryGetValue(path, out var answer))
        {
            var (code, type, text) = answer(seen);
            context.Response.StatusCode = code;
            context.Response.ContentType = type;
            await context.Response.WriteAsync(text);
            return;
        }
        if (path.StartsWith("/status/", StringComparison.Ordinal) && int.TryParse(path["/status/".Length..], out var status))
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"status {status}");
            return;
        }
        switch (path)
        {
            case "/slow":
                await _never.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case "/big":
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(new byte[11 * 1024 * 1024]);
                return;
            case "/bytes":
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(new byte[] { 0, 1, 2, 255 });
                return;
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Upstream"] = "yes";
        // Only what cannot carry a credential is echoed: tests read the rest from Requests.
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { method = seen.Method, bytes = seen.Body.Length }));
    }

    public async ValueTask DisposeAsync()
    {
        _never.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A test's own certificate authority, and server certificates it issues (for HTTPS upstreams).</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority()
    {
        var request = new CertificateRequest("CN=Parley Test Upstream CA", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        PemFile = Path.Combine(Path.GetTempPath(), "parley-test-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        File.WriteAllText(PemFile, Certificate.ExportCertificatePem());
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as a PEM file (for <c>Gateway:UpstreamTrustedCaFile</c>).</summary>
    public string PemFile { get; }

    /// <summary>A server certificate for localhost, 127.0.0.1 and 127.0.0.2, with its private key.</summary>
    public X509Certificate2 IssueServer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.Parse("127.0.0.2"));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Kestrel on Linux wants a certificate whose key it can use directly: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
        File.Delete(PemFile);
    }
}
