using Parley.Client.Wake;
using Parley.Contracts.Wake;

namespace Parley.Cli.Devices;

/// <summary>What a run needs from the listener besides its binding: where the API is, the passport, the gateway.</summary>
internal sealed record RunContext(WakeEnvelope Wake, string ApiUrl, string Passport, string PassportFile, Uri GatewayProxy, string? GatewayCaFile);

/// <summary>A child process to start: the program, its arguments (never the prompt), its whole environment, its folder.</summary>
internal sealed record ChildSpec(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    /// <summary>The command line as a person would type it (for <c>--dry-run</c> and logs); the passport is never shown.</summary>
    public string Display => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) => word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,@+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}

/// <summary>
/// Builds the command line and environment of a run (wake.md, constrained mode). Unconstrained, the child inherits
/// the listener's environment and runs the binding's normal command. Constrained, the environment is scrubbed to an
/// allow-list plus the <c>PARLEY_*</c> variables, outbound HTTP(S) is pointed at Parley's gateway (with the run's
/// passport as the proxy credential and the gateway's CA trusted), and the host runs with its restrictive flags:
/// Claude Code in <c>dontAsk</c> permission mode with an explicit tool list, Codex in its read-only sandbox, a custom
/// host with the binding's declared constrained command.
/// </summary>
internal static class HostCommand
{
    /// <summary>The variables a constrained child keeps from the listener's environment.</summary>
    public static readonly IReadOnlyList<string> ConstrainedAllowList = ["PATH", "HOME", "LANG", "TERM", "TMPDIR"];

    /// <summary>The tools Claude Code may use in a constrained run unless the binding names others: reading only.</summary>
    public const string DefaultAllowedTools = "Read,Glob,Grep";

    public static string DefaultProgram(string host) => host switch
    {
        Hosts.ClaudeCode => "claude",
        Hosts.Codex => "codex",
        _ => "sh",
    };

    /// <summary>The child for a run, or the run's <c>failure_reason</c> when it cannot start.</summary>
    public static (ChildSpec? Child, string? FailureReason) Build(LocalBinding binding, RunContext run, IReadOnlyDictionary<string, string> parentEnvironment)
    {
        var constrained = run.Wake.Constrained;
        if (constrained && !binding.ConstrainedCapable)
        {
            return (null, "constrained_runtime_required");
        }
        var environment = constrained
            ? ConstrainedAllowList.Where(parentEnvironment.ContainsKey).ToDictionary(k => k, k => parentEnvironment[k], StringComparer.Ordinal)
            : new Dictionary<string, string>(parentEnvironment, StringComparer.Ordinal);
        AddParleyVariables(environment, run);
        if (constrained)
        {
            AddGateway(environment, run);
        }
        var path = environment.GetValueOrDefault("PATH") ?? parentEnvironment.GetValueOrDefault("PATH") ?? "";
        var (program, arguments) = binding.Host switch
        {
            Hosts.ClaudeCode => (binding.Command ?? "claude", constrained
                ? new List<string> { "-p", "--permission-mode", "dontAsk", "--allowedTools", binding.AllowedTools ?? DefaultAllowedTools }
                : ["-p"]),
            Hosts.Codex => (binding.Command ?? "codex", constrained ? new List<string> { "exec", "--sandbox", "read-only", "-" } : ["exec", "-"]),
            _ => ("sh", ["-c", (constrained ? binding.ConstrainedCommand : binding.Command) ?? ""]),
        };
        var checkedProgram = binding.Host == Hosts.Custom ? FirstWord((constrained ? binding.ConstrainedCommand : binding.Command) ?? "") : program;
        if (checkedProgram is null || (!ShellWords.Contains(checkedProgram) && Which(checkedProgram, path, binding.Directory) is null))
        {
            return (null, "host_not_found");
        }
        var resolved = binding.Host == Hosts.Custom ? "/bin/sh" : Which(program, path, binding.Directory)!;
        return (new ChildSpec(resolved, arguments, environment, binding.Directory), null);
    }

    private static void AddParleyVariables(Dictionary<string, string> environment, RunContext run)
    {
        var wake = run.Wake;
        environment["PARLEY_URL"] = run.ApiUrl;
        environment["PARLEY_TOKEN"] = run.Passport;
        environment["PARLEY_TOKEN_FILE"] = run.PassportFile;
        environment["PARLEY_RUN_ID"] = wake.RunId;
        environment["PARLEY_AGENT"] = wake.AgentHandle;
        environment["PARLEY_AGENT_ID"] = wake.AgentId;
        environment["PARLEY_REASON"] = wake.Reason;
        environment["PARLEY_CONSTRAINED"] = wake.Constrained ? "1" : "0";
        foreach (var (name, value) in new[] { ("PARLEY_ROOM_ID", wake.RoomId), ("PARLEY_TASK_ID", wake.TaskId), ("PARLEY_MESSAGE_ID", wake.MessageId),
                     ("PARLEY_MENTION_ID", wake.MentionId) })
        {
            if (value is not null)
            {
                environment[name] = value;
            }
            else
            {
                environment.Remove(name);
            }
        }
    }

    /// <summary>
    /// Every proxy-aware program sends its HTTP(S) through the gateway, authenticated by the run's passport; only
    /// Parley's own API is reached directly. The gateway's CA goes in the variables the common TLS stacks read.
    /// </summary>
    private static void AddGateway(Dictionary<string, string> environment, RunContext run)
    {
        var proxy = new UriBuilder(run.GatewayProxy) { UserName = "run", Password = Uri.EscapeDataString(run.Passport) }.Uri.AbsoluteUri.TrimEnd('/');
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy" })
        {
            environment[name] = proxy;
        }
        var apiHost = new Uri(run.ApiUrl).Host;
        environment["NO_PROXY"] = environment["no_proxy"] = apiHost;
        if (run.GatewayCaFile is { } ca)
        {
            foreach (var name in new[] { "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE" })
            {
                environment[name] = ca;
            }
        }
    }

    /// <summary>Shell words that are not programs on PATH (a custom command may start with them).</summary>
    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal) { "exec", "cd", "export", "set", ".", "eval", "env", "test", "[", "true", "false", "echo", "printf", "read" };

    private static string? FirstWord(string command)
    {
        var word = command.TrimStart().Split([' ', '\t', '\n', ';', '&', '|'], 2)[0].Trim('"', '\'');
        return word.Length == 0 ? null : word.Contains('=') ? "env" : word;
    }

    /// <summary>The program's full path: a path as given (relative to the run's folder), or the first match on PATH.</summary>
    public static string? Which(string program, string path, string directory)
    {
        if (program.Contains('/'))
        {
            var full = Path.GetFullPath(program, directory);
            return File.Exists(full) ? full : null;
        }
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }
        return null;
    }
}
