using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// A real Parley server on loopback (Kestrel on a free port) with its own data directory and database, a manual
/// clock, and captured logs. Tests talk to it over HTTP and WebSockets like any client. Settings go in as
/// command-line flags, the same path operators use.
/// </summary>
public class TestServer : IAsyncLifetime
{
    private WebApplication? _app;
    private string? _postgres;

    public ManualClock Clock { get; } = new();
    public CapturedLogs Logs { get; } = new();
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "parley-test-" + Guid.NewGuid().ToString("N")[..12]);
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    /// <summary>The server's own PostgreSQL database on a PostgreSQL run (for tests that look into it); null on SQLite.</summary>
    public string? PostgresDatabase => _postgres;

    private readonly SemaphoreSlim _adminGate = new(1, 1);
    private string? _adminToken;

    /// <summary>A session of the instance admin (<c>Admin:Emails</c> in tests), signed up on first use.</summary>
    public async Task<string> AdminTokenAsync()
    {
        await _adminGate.WaitAsync();
        try
        {
            if (_adminToken is null)
            {
                _adminToken = (await this.SignupAsync(Actors.AdminEmail)).AccessToken;
            }
            else
            {
                // Refresh by logging in again: the clock may have moved past the token's 15 minutes.
                var login = await Http.PostAsync("/v1/auth/login", new { email = Actors.AdminEmail, password = "correct horse battery" });
                _adminToken = (await login.JsonAsync()).GetProperty("access_token").GetString();
            }
            return _adminToken!;
        }
        finally
        {
            _adminGate.Release();
        }
    }

    /// <summary>Settings a test class adds or overrides (e.g. small limits, cheap password hashing).</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = DataDirectory,
            ["Testing:FaultHooks"] = "true",
            ["Security:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Database:Durability"] = "normal",
            ["Limits:Rates:test-hook:Limit"] = "3",
            ["Limits:Rates:test-hook:WindowSeconds"] = "1",
            // Cheap hashing and generous per-IP limits: every test class signs people up from one loopback address.
            ["Limits:PasswordHashIterations"] = "1000",
            ["Admin:Emails"] = Actors.AdminEmail,
            ["Limits:Rates:auth:Limit"] = "100000",
            ["Limits:Rates:register:Limit"] = "100000",
            ["Limits:Rates:register-verify:Limit"] = "100000",
            ["Limits:Rates:recover:Limit"] = "100000",
            ["Limits:Rates:directory:Limit"] = "100000",
            // The gateway's proxy listens only where a test class asks for it (its default port would collide).
            ["Gateway:ProxyUrls"] = "",
        };
        if (TestDatabase.IsPostgres)
        {
            _postgres = await TestDatabase.CreatePostgresDatabaseAsync();
            settings["Database:Provider"] = "postgres";
            settings["Database:ConnectionString"] = _postgres;
        }
        Configure(settings);
        var args = settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").ToArray();

        _app = Parley.Server.Program.Create(args, builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddProvider(Logs);
        });
        await Parley.Server.Platform.PlatformServices.MigrateDatabaseAsync(_app);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
        Http = NewClient();
    }

    public HttpClient NewClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    private int _disposed;

    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await TestDatabase.DropPostgresDatabaseAsync(_postgres);
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
