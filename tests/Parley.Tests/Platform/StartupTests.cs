using System.Net;
using System.Net.Sockets;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>The server as a newcomer runs it: no configuration at all, then SIGTERM.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task WithNoConfigurationItServesSqliteUnderDataOnPort8080AndStopsGracefully()
    {
        if (TestDatabase.IsPostgres)
        {
            return; // The no-configuration start is SQLite by definition; the SQLite run covers it.
        }
        var directory = Directory.CreateTempSubdirectory("parley-default-").FullName;
        var portFree = IsFree(8080);
        var args = portFree ? Array.Empty<string>() : ["--urls=http://127.0.0.1:" + ServerProcess.FreePort()];
        var address = portFree ? new Uri("http://127.0.0.1:8080") : new Uri(args[0]["--urls=".Length..]);
        await using var server = await ServerProcess.StartAsync(directory, args, address);

        using var http = new HttpClient { BaseAddress = address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.True(File.Exists(Path.Combine(directory, "data", "parley.db")));
        var keyFile = Path.Combine(directory, "data", "master.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
        Assert.Equal(32, Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)).Length);
        if (!OperatingSystem.IsWindows())
        {
            // Everything in the data directory is the owner's alone: the database holds emails, messages, password hashes.
            var data = new DirectoryInfo(Path.Combine(directory, "data"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, data.UnixFileMode);
            foreach (var file in data.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                Assert.True((file.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) == 0,
                    $"{file.Name} is {file.UnixFileMode}");
            }
        }
        // The shipped appsettings.json applies although the process started elsewhere: framework and SQL chatter stays out.
        Assert.DoesNotContain(server.Output, line => line.Contains("Executed DbCommand", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Output, line => line.Contains("Request starting", StringComparison.Ordinal));

        Assert.Equal(0, await server.StopAsync());
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task PostgresWithoutAMasterKeyRefusesToStart()
    {
        var directory = Directory.CreateTempSubdirectory("parley-nokey-").FullName;
        var port = ServerProcess.FreePort();
        var start = ServerProcess.StartAsync(directory,
            ["--urls=http://127.0.0.1:" + port, "--Database:Provider=postgres", "--Database:ConnectionString=Host=127.0.0.1;Port=1"],
            new Uri("http://127.0.0.1:" + port));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start);
        Assert.Contains("Security:MasterKey is required", error.Message, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
