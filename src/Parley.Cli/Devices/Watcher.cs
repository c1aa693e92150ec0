using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Parley.Client;
using Parley.Client.Wake;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;
using Parley.Contracts.Wake;

namespace Parley.Cli.Devices;

/// <summary>Settings of <c>parley watch</c>.</summary>
internal sealed record WatchSettings(bool DryRun, TimeSpan HeartbeatInterval, TimeSpan MaxRun, TimeSpan StopGrace, Uri? GatewayProxy);

/// <summary>
/// <c>parley watch</c>: the device's listener (wake.md). One per device (a lock file under the CLI's home). It holds
/// the listener channel (reconnecting with backoff and jitter), verifies every wake envelope before it does anything,
/// acknowledges it, accepts the run, starts the bound agent's command with the prompt on stdin, sends heartbeats
/// (renewing the passport in <c>PARLEY_TOKEN_FILE</c>), stops the process on <c>run.cancel</c>, on the server ending
/// the run, or at the maximum duration, and reports the end with the exit code and the output tail. Children keep
/// running across reconnects. Each run in flight has a state file; a listener that starts and finds one left by a
/// listener that died stops that run's processes and reports it (<c>crashed</c>, or the outcome it had recorded).
/// </summary>
internal sealed class Watcher(DeviceProfile profile, string home, WatchSettings settings, TextWriter output)
{
    private DeviceProfile Profile { get; } = profile;
    private string Home { get; } = home;
    private WatchSettings Settings { get; } = settings;

    public const string ListenerVersion = "parley-cli/1";
    private readonly ConcurrentDictionary<string, ActiveRun> _runs = new(StringComparer.Ordinal);
    private readonly object _print = new();
    private string RunsFolder => Path.Combine(Home, "runs");

    public async Task<int> RunAsync(CancellationToken stop)
    {
        CliHome.Ensure(Home);
        using var watchLock = WatchLock.TryTake(Home);
        if (watchLock is null)
        {
            Print($"parley watch is already running for this device (pid {WatchLock.Holder(Home) ?? "unknown"}).");
            return 1;
        }
        CliHome.Ensure(RunsFolder);
        using var client = new ParleyClient(new Uri(Profile.Server), Profile.DeviceToken);
        await ReapLeftoversAsync(client, stop);
        using var verifier = WakeEnvelopeVerifier.For(client, Profile.DeviceId);
        var hosts = Profile.Bindings.Select(b => b.Host).Append(Hosts.Custom).Distinct().ToList();
        await using var connection = await ConnectAsync(client, new ListenerOptions { ListenerVersion = ListenerVersion, Hosts = hosts }, stop);
        if (connection is null)
        {
            return stop.IsCancellationRequested ? 0 : 1;
        }
        Print($"watching for {Profile.Name} ({Profile.DeviceId}) at {Profile.Server}{(Settings.DryRun ? " — dry run: nothing is started" : "")}");
        try
        {
            await foreach (var item in connection.ReadAllAsync(stop))
            {
                switch (item)
                {
                    case ListenerConnected connected:
                        verifier.ServerOffset = connected.Offset;
                        Print($"connected (reconnects: {connection.Reconnects})");
                        break;
                    case ListenerDisconnected:
                        Print("disconnected; reconnecting");
                        break;
                    case ListenerWakeReceived wake:
                        await OnWakeAsync(client, connection, verifier, wake.Envelope, stop);
                        break;
                    case ListenerCancelReceived cancel:
                        await OnCancelAsync(client, cancel.RunId, stop);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        var revoked = !stop.IsCancellationRequested && connection.EndedWith is not null;
        Print(revoked ? "the server closed the listener (was the device revoked?); stopping" : "stopping");
        await Task.WhenAll(_runs.Values.Select(r => r.StopAsync("listener_stopped")));
        return revoked ? 1 : 0;
    }

    /// <summary>Opens the channel, retrying with backoff until the server answers; a refused token ends the watch.</summary>
    private async Task<ListenerConnection?> ConnectAsync(ParleyClient client, ListenerOptions options, CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                return await client.ConnectListenerAsync(options, stop);
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or HttpRequestException or IOException)
            {
                try
                {
                    await client.GetDeviceAsync(stop);
                }
                catch (ParleyApiException refused) when (refused.Status == HttpStatusCode.Unauthorized)
                {
                    Print($"the server refused this device's token ({refused.Code}): pair again with `parley pair`");
                    return null;
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // Not reachable either: wait and try again.
                }
                Print($"cannot reach {Profile.Server} ({e.Message}); retrying in {delay.TotalSeconds:0} s");
                try
                {
                    await Task.Delay(delay, stop);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
        return null;
    }

    private async Task OnWakeAsync(ParleyClient client, ListenerConnection connection, WakeEnvelopeVerifier verifier, string envelope, CancellationToken stop)
    {
        WakeEnvelope wake;
        try
        {
            wake = await verifier.VerifyAsync(envelope, stop);
        }
        catch (WakeRejectedException e)
        {
            Print($"refused a wake ({e.Reason}): {e.Message}");
            return;
        }
        catch (Exception e) when (e is HttpRequestException or ParleyApiException)
        {
            Print($"could not fetch the server's keys to check a wake ({e.Message}); it will come again on reconnect");
            return;
        }
        if (Settings.DryRun)
        {
            DryRun(wake);
            return;
        }
        try
        {
            await connection.AckAsync(wake.WakeId, stop);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or InvalidOperationException)
        {
            // The socket dropped: accepting the run below is what counts; an unacknowledged wake only comes again.
        }
        var run = new ActiveRun(this, client, wake);
        if (_runs.TryAdd(wake.RunId, run))
        {
            run.Start(() => { _runs.TryRemove(wake.RunId, out _); run.Dispose(); }, stop);
        }
    }

    private async Task OnCancelAsync(ParleyClient client, string runId, CancellationToken stop)
    {
        if (_runs.TryGetValue(runId, out var run))
        {
            run.Cancel();
            return;
        }
        // A run this listener does not hold (it never started it, or a listener before it did): it ends cancelled.
        await ReportAsync(client, runId, new FinishRunRequest(RunStatus.Cancelled, null, "cancelled_by_owner"), stop);
    }

    private void DryRun(WakeEnvelope wake)
    {
        var binding = DeviceProfile.Load(Home)?.BindingFor(wake.AgentId);
        if (binding is null)
        {
            Print($"{wake.RunId}: @{wake.AgentHandle} ({wake.Reason}) is not bound on this machine");
            return;
        }
        var context = new RunContext(wake, Profile.Server, "<passport>", Path.Combine(RunsFolder, wake.RunId + ".token"), GatewayProxy(), null);
        var (child, failure) = HostCommand.Build(binding, context, CurrentEnvironment());
        Print(child is null
            ? $"{wake.RunId}: @{wake.AgentHandle} ({wake.Reason}) would fail: {failure}"
            : $"{wake.RunId}: @{wake.AgentHandle} ({wake.Reason}{(wake.Constrained ? ", constrained" : "")}) would run in {child.WorkingDirectory}: {child.Display}");
    }

    /// <summary>Runs a listener that died left behind: their processes are stopped, and each is reported as it ended.</summary>
    private async Task ReapLeftoversAsync(ParleyClient client, CancellationToken stop)
    {
        foreach (var file in Directory.GetFiles(RunsFolder, "*.json"))
        {
            var state = JsonSerializer.Deserialize<RunState>(await File.ReadAllTextAsync(file, stop), ParleyJson.Options)!;
            if (state.Outcome is null && state.Pid is { } pid)
            {
                ChildProcess.KillGroup(pid);
            }
            var outcome = state.Outcome ?? new FinishRunRequest(RunStatus.Failed, null, "crashed", "The listener stopped during the run.");
            Print($"{state.RunId}: left by an earlier listener; reported {outcome.Status} ({outcome.FailureReason ?? "exit " + outcome.ExitCode})");
            await ReportAsync(client, state.RunId, outcome, stop);
            File.Delete(file);
            File.Delete(Path.ChangeExtension(file, ".token"));
        }
    }

    /// <summary>Reports a run's end, retrying while the server cannot be reached; a run the server already ended stays as it is.</summary>
    private static async Task<bool> ReportAsync(ParleyClient client, string runId, FinishRunRequest finish, CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            // Stopping: one attempt with a deadline of its own; what fails stays in the state file for the next listener.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.FinishRunAsync(runId, finish, deadline.Token);
                return true;
            }
            catch (ParleyApiException e) when (e.Code is ErrorCodes.Conflict or ErrorCodes.NotFound)
            {
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or ParleyApiException or OperationCanceledException)
            {
                return false;
            }
        }
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await client.FinishRunAsync(runId, finish, stop);
                return true;
            }
            catch (ParleyApiException e) when (e.Code is ErrorCodes.Conflict or ErrorCodes.NotFound)
            {
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or ParleyApiException { Retryable: true } && !stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(delay, stop);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private Uri GatewayProxy()
    {
        if (Settings.GatewayProxy is { } proxy)
        {
            return proxy;
        }
        // The gateway's default listener (gateway.md: Gateway:ProxyUrls) on the server's host.
        return new UriBuilder("http", new Uri(Profile.Server).Host, 8081).Uri;
    }

    private static Dictionary<string, string> CurrentEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    private void Print(string line)
    {
        lock (_print)
        {
            output.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {line}");
            output.Flush();
        }
    }

    /// <summary>A run in flight, as its state file keeps it: the process, and the outcome once known but not yet reported.</summary>
    private sealed record RunState(string RunId, int? Pid, FinishRunRequest? Outcome);

    /// <summary>One accepted run: its process, heartbeats, cancellation, maximum duration, and the report of its end.</summary>
    private sealed class ActiveRun(Watcher watcher, ParleyClient client, WakeEnvelope wake) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private ChildProcess? _child;
        private string? _stopReason;

        private string StateFile => Path.Combine(watcher.RunsFolder, wake.RunId + ".json");
        private string TokenFile => Path.Combine(watcher.RunsFolder, wake.RunId + ".token");

        public void Cancel() => Stop("cancelled_by_owner");

        /// <summary>Stops the process and waits until the run is reported (or kept for the next listener).</summary>
        public Task StopAsync(string reason)
        {
            Stop(reason);
            return _completion;
        }

        private Task _completion = Task.CompletedTask;

        public void Start(Action ended, CancellationToken stop) =>
            _completion = RunAsync(stop).ContinueWith(_ => ended(), TaskScheduler.Default);

        public void Dispose() => _cancel.Dispose();

        private void Stop(string reason)
        {
            _stopReason ??= reason;
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run is over already.
            }
        }

        private async Task RunAsync(CancellationToken stop)
        {
            try
            {
                await RunCoreAsync(stop);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                watcher.Print($"{wake.RunId}: {e.Message}");
                await ReportAsync(client, wake.RunId, new FinishRunRequest(RunStatus.Failed, null, "crashed", Truncate(e.Message, 4000)), stop);
            }
            finally
            {
                _child?.Dispose();
            }
        }

        private async Task RunCoreAsync(CancellationToken stop)
        {
            var binding = DeviceProfile.Load(watcher.Home)?.BindingFor(wake.AgentId);
            var environment = CurrentEnvironment();
            if (binding is null)
            {
                await EndEarlyAsync("not_bound", $"@{wake.AgentHandle} is not bound on this machine (parley bind).", stop);
                return;
            }
            // Check before accepting: a host that cannot run ends the run at once, without a passport.
            var probe = new RunContext(wake, watcher.Profile.Server, "-", TokenFile, watcher.GatewayProxy(), null);
            if (HostCommand.Build(binding, probe, environment) is (null, var refusal))
            {
                await EndEarlyAsync(refusal!, refusal == "host_not_found"
                    ? $"The {binding.Host} host's program was not found on PATH."
                    : "The run must be constrained and this binding has no constrained command.", stop);
                return;
            }
            var accepted = await client.AcceptRunAsync(wake.RunId, stop);
            CliHome.WritePrivate(TokenFile, accepted.Passport);
            var gatewayCa = wake.Constrained ? await GatewayCaAsync(stop) : null;
            var context = new RunContext(wake, accepted.ApiUrl, accepted.Passport, TokenFile, watcher.GatewayProxy(), gatewayCa);
            var (spec, _) = HostCommand.Build(binding, context, environment);
            _child = await ChildProcess.StartAsync(spec!, wake.Prompt, Path.Combine(watcher.RunsFolder, wake.RunId + ".log"));
            await SaveStateAsync(null);
            watcher.Print($"{wake.RunId}: @{wake.AgentHandle} ({wake.Reason}{(wake.Constrained ? ", constrained" : "")}) started in {spec!.WorkingDirectory}: {spec.Display}");
            var exitCode = await SuperviseAsync(stop);
            var outcome = _stopReason switch
            {
                null => exitCode == 0
                    ? new FinishRunRequest(RunStatus.Succeeded, 0, null, null, _child.Tail())
                    : new FinishRunRequest(RunStatus.Failed, exitCode, "exit_nonzero", null, _child.Tail()),
                "cancelled_by_owner" => new FinishRunRequest(RunStatus.Cancelled, exitCode, "cancelled_by_owner", null, _child.Tail()),
                "ended_by_server" => null,
                var reason => new FinishRunRequest(RunStatus.Failed, exitCode, reason, null, _child.Tail()),
            };
            watcher.Print($"{wake.RunId}: {outcome?.Status ?? "ended by the server"} (exit {exitCode})");
            if (outcome is not null)
            {
                await SaveStateAsync(outcome);
                if (!await ReportAsync(client, wake.RunId, outcome, stop))
                {
                    return; // Stopping before the server heard: the state file keeps the outcome for the next listener.
                }
            }
            File.Delete(StateFile);
            File.Delete(TokenFile);
        }

        /// <summary>Waits for the process, with heartbeats every interval, and stops it on cancel, the server's word or the time cap.</summary>
        private async Task<int> SuperviseAsync(CancellationToken stop)
        {
            var started = DateTimeOffset.UtcNow;
            using var timer = new PeriodicTimer(watcher.Settings.HeartbeatInterval);
            using var wakeUp = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token, stop);
            var exited = _child!.Exited;
            while (!exited.IsCompleted)
            {
                var tick = timer.WaitForNextTickAsync(wakeUp.Token).AsTask();
                await Task.WhenAny(exited, tick).ContinueWith(_ => { }, TaskScheduler.Default);
                if (exited.IsCompleted)
                {
                    break;
                }
                if (stop.IsCancellationRequested)
                {
                    _stopReason ??= "listener_stopped";
                }
                if (wakeUp.IsCancellationRequested)
                {
                    break;
                }
                if (DateTimeOffset.UtcNow - started > watcher.Settings.MaxRun)
                {
                    _stopReason ??= "timeout";
                    break;
                }
                await HeartbeatAsync(stop);
                if (_stopReason is not null)
                {
                    break;
                }
            }
            if (!exited.IsCompleted)
            {
                await _child.StopAsync(watcher.Settings.StopGrace);
            }
            return await exited;
        }

        private async Task HeartbeatAsync(CancellationToken stop)
        {
            try
            {
                var answer = await client.HeartbeatRunAsync(wake.RunId, stop);
                if (answer.Passport is { } renewed)
                {
                    CliHome.WritePrivate(TokenFile, renewed);
                }
            }
            catch (ParleyApiException e) when (e.Code is ErrorCodes.Conflict or ErrorCodes.NotFound)
            {
                // The server ended the run (timed out, say): nothing may keep running under it.
                _stopReason ??= "ended_by_server";
            }
            catch (HttpRequestException)
            {
                // The server is out of reach: the process goes on; the next heartbeat may get through.
            }
        }

        private async Task EndEarlyAsync(string reason, string summary, CancellationToken stop)
        {
            watcher.Print($"{wake.RunId}: failed ({reason}): {summary}");
            await ReportAsync(client, wake.RunId, new FinishRunRequest(RunStatus.Failed, null, reason, summary), stop);
        }

        /// <summary>The gateway's CA for a constrained run (gateway.md: <c>GET /v1/gateway/ca.pem</c>), when the server has one.</summary>
        private async Task<string?> GatewayCaAsync(CancellationToken stop)
        {
            try
            {
                using var response = await client.SendRawAsync(HttpMethod.Get, "v1/gateway/ca.pem", null, stop);
                var path = Path.Combine(watcher.Home, "gateway-ca.pem");
                await File.WriteAllTextAsync(path, await response.Content.ReadAsStringAsync(stop), stop);
                return path;
            }
            catch (ParleyApiException)
            {
                return null;
            }
        }

        private Task SaveStateAsync(FinishRunRequest? outcome)
        {
            CliHome.WritePrivate(StateFile, JsonSerializer.Serialize(new RunState(wake.RunId, _child?.Pid, outcome), ParleyJson.Options));
            return Task.CompletedTask;
        }

        private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
    }
}

/// <summary>
/// One <c>parley watch</c> per device: an exclusive lock on <c>watch.lock</c> (released by the system when the
/// process ends, however it ends), with the holder's pid in <c>watch.pid</c>.
/// </summary>
internal sealed class WatchLock : IDisposable
{
    private readonly FileStream _stream;

    private WatchLock(FileStream stream) => _stream = stream;

    public static WatchLock? TryTake(string home)
    {
        var taken = Open(home);
        if (taken is not null)
        {
            CliHome.WritePrivate(Path.Combine(home, "watch.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return taken;
    }

    private static WatchLock? Open(string home)
    {
        try
        {
            return new WatchLock(new FileStream(Path.Combine(home, "watch.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether a watch holds the lock now.</summary>
    public static bool IsHeld(string home)
    {
        if (!File.Exists(Path.Combine(home, "watch.lock")))
        {
            return false;
        }
        using var probe = Open(home);
        return probe is null;
    }

    public static string? Holder(string home) =>
        File.Exists(Path.Combine(home, "watch.pid")) ? File.ReadAllText(Path.Combine(home, "watch.pid")).Trim() : null;

    public void Dispose() => _stream.Dispose();
}
