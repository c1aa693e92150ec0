using System.CommandLine;
using Parley.Client;
using Parley.Contracts.Gateway;

namespace Parley.Cli.Commands;

/// <summary>A verb an owner runs for one workspace: <c>--workspace</c> or <c>$PARLEY_WORKSPACE</c>, with the owner's <c>$PARLEY_TOKEN</c>.</summary>
internal abstract class WorkspaceCommand : ParleyCommand
{
    public static readonly Option<string> Workspace = new("--workspace")
    {
        Description = "The workspace (default: $PARLEY_WORKSPACE).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PARLEY_WORKSPACE") ?? "",
    };

    protected WorkspaceCommand(string name, string description, CliConsole console) : base(name, description, console) => Options.Add(Workspace);

    /// <summary><c>--workspace</c>, else <c>$PARLEY_WORKSPACE</c>, else the profile's (the one chosen at login).</summary>
    protected static string WorkspaceOf(ParseResult parse) =>
        parse.GetValue(Workspace) is { Length: > 0 } workspace ? workspace
        : ProfileOf(parse)?.Workspace is { Length: > 0 } saved ? saved
        : throw new CliException("Name the workspace: --workspace WS, $PARLEY_WORKSPACE, or log in (parley login).", 2);
}

/// <summary><c>parley vault list|add|rm</c>: the workspace's credentials for outbound calls (values never shown).</summary>
internal sealed class VaultCommand : Command
{
    public VaultCommand(CliConsole console) : base("vault", "The workspace's vault: credentials the gateway injects by host and path.")
    {
        Subcommands.Add(new ListVault(console));
        Subcommands.Add(new AddVault(console));
        Subcommands.Add(new RemoveVault(console));
    }

    private sealed class ListVault(CliConsole console) : WorkspaceCommand("list", "Lists the vault's entries.", console)
    {
        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            var entries = await client.ListVaultEntriesAsync(WorkspaceOf(parse), ct);
            await PrintAsync(parse, entries, ["id", "name", "host and path", "injected as", "into", "value"], entries.Data.Select(e =>
            {
                var target = e.Injection.Kind switch { "header" => e.Injection.HeaderName, "query" => "?" + e.Injection.ParamName, _ => e.Injection.Template };
                return new[] { e.Id, e.Name, e.HostPattern + (e.PathPattern == "*" ? "" : e.PathPattern), e.Injection.Kind, target, "…" + e.ValueLast4 };
            }));
            return 0;
        }
    }

    private sealed class AddVault : WorkspaceCommand
    {
        private static readonly Option<string> NameOption = new("--name") { Required = true, Description = "A name for people." };
        private static readonly Option<string> Host = new("--host") { Required = true, Description = "The host pattern (api.github.com, *.example.com, host:port)." };
        private static readonly Option<string> Path = new("--path") { Description = "The path pattern (default *; /repos/* for a folder)." };
        private static readonly Option<string> Header = new("--header") { Description = "Inject into this header (default Authorization)." };
        private static readonly Option<string> Format = new("--format") { Description = "The header's value, with {value} (e.g. 'Bearer {value}')." };
        private static readonly Option<string> Query = new("--query") { Description = "Inject as this query parameter instead." };
        private static readonly Option<string> PathTemplate = new("--path-template") { Description = "Inject into the path instead (e.g. /bot{value})." };

        public AddVault(CliConsole console) : base("add", "Adds a credential; the value is read from standard input, never from the command line.", console)
        {
            Options.Add(NameOption);
            Options.Add(Host);
            Options.Add(Path);
            Options.Add(Header);
            Options.Add(Format);
            Options.Add(Query);
            Options.Add(PathTemplate);
        }

        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            var value = (await System.Console.In.ReadLineAsync(ct))?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                throw new CliException("Give the value on standard input (e.g. `parley vault add … < token.txt`).", 2);
            }
            var injection = parse.GetValue(Query) is { } query ? new Injection("query", ParamName: query)
                : parse.GetValue(PathTemplate) is { } template ? new Injection("path", Template: template)
                : new Injection("header", parse.GetValue(Header) ?? "Authorization", parse.GetValue(Format));
            var entry = await client.CreateVaultEntryAsync(WorkspaceOf(parse),
                new CreateVaultEntryRequest(parse.GetValue(NameOption), parse.GetValue(Host), parse.GetValue(Path), injection, value), ct);
            await Console.Out.WriteLineAsync($"{entry.Id}  {entry.Name}  {entry.HostPattern}{(entry.PathPattern == "*" ? "" : entry.PathPattern)}  …{entry.ValueLast4}");
            return 0;
        }
    }

    private sealed class RemoveVault : WorkspaceCommand
    {
        private static readonly Argument<string> Id = new("id") { Description = "The entry (sec_…)." };

        public RemoveVault(CliConsole console) : base("rm", "Removes an entry.", console) => Arguments.Add(Id);

        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            await client.DeleteVaultEntryAsync(WorkspaceOf(parse), parse.GetValue(Id)!, ct);
            return 0;
        }
    }
}

/// <summary><c>parley rules list|add|rm</c>: the workspace's outbound policy.</summary>
internal sealed class RulesCommand : Command
{
    public RulesCommand(CliConsole console) : base("rules", "The workspace's outbound rules.")
    {
        Subcommands.Add(new ListRules(console));
        Subcommands.Add(new AddRule(console));
        Subcommands.Add(new RemoveRule(console));
    }

    private sealed class ListRules(CliConsole console) : WorkspaceCommand("list", "Lists the rules.", console)
    {
        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            var rules = await client.ListRulesAsync(WorkspaceOf(parse), ct);
            await PrintAsync(parse, rules, ["id", "on", "action", "method", "host and path", "limit", "name"], rules.Data.Select(r => new[]
            {
                r.Id, r.Enabled ? "on" : "off", r.Action, r.Method ?? "*", r.HostPattern + (r.PathPattern == "*" ? "" : r.PathPattern),
                r.RateLimit is { } n ? $"{n}/{r.RateLimitWindow}" : "", r.Name,
            }));
            return 0;
        }
    }

    private sealed class AddRule : WorkspaceCommand
    {
        private static readonly Option<string> NameOption = new("--name") { Required = true };
        private static readonly Option<string> Host = new("--host") { Required = true };
        private static readonly Option<string> Path = new("--path");
        private static readonly Option<string> Method = new("--method");
        private static readonly Option<string> Agent = new("--agent");
        private static readonly Option<string> ActionOption = new("--action") { Required = true, Description = "block, manual_approval, rate_limit or allow." };
        private static readonly Option<long?> Limit = new("--limit") { Description = "rate_limit: calls per window." };
        private static readonly Option<string> Window = new("--window") { Description = "rate_limit: minute, hour or day." };

        public AddRule(CliConsole console) : base("add", "Adds a rule.", console)
        {
            ActionOption.AcceptOnlyFromAmong([.. RuleActions.All]);
            foreach (var option in new Option[] { NameOption, Host, Path, Method, Agent, ActionOption, Limit, Window })
            {
                Options.Add(option);
            }
        }

        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            var rule = await client.CreateRuleAsync(WorkspaceOf(parse), new CreateRuleRequest(parse.GetValue(NameOption), parse.GetValue(Host), parse.GetValue(Path),
                parse.GetValue(Method), parse.GetValue(Agent), parse.GetValue(ActionOption), parse.GetValue(Limit), parse.GetValue(Window)), ct);
            await Console.Out.WriteLineAsync($"{rule.Id}  {rule.Action}  {rule.HostPattern}{(rule.PathPattern == "*" ? "" : rule.PathPattern)}");
            return 0;
        }
    }

    private sealed class RemoveRule : WorkspaceCommand
    {
        private static readonly Argument<string> Id = new("id") { Description = "The rule (rule_…)." };

        public RemoveRule(CliConsole console) : base("rm", "Removes a rule.", console) => Arguments.Add(Id);

        protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
        {
            await client.DeleteRuleAsync(WorkspaceOf(parse), parse.GetValue(Id)!, ct);
            return 0;
        }
    }
}

/// <summary>
/// <c>parley approvals</c>: waits for held calls and asks, one at a time, whether to let each through — <c>y</c>
/// approve, <c>a</c> approve and remember, anything else deny. <c>--once</c> stops after one decision.
/// </summary>
internal sealed class ApprovalsCommand : WorkspaceCommand
{
    private static readonly Option<bool> Once = new("--once") { Description = "Stop after one decision." };

    public ApprovalsCommand(CliConsole console) : base("approvals", "Waits for held calls and asks approve or deny.", console) => Options.Add(Once);

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var workspace = WorkspaceOf(parse);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            var pending = await Console.WaitAsync("Waiting for calls that need approval (Ctrl-C to stop)…",
                () => client.ListApprovalsAsync(workspace, "pending", 30, seen, ct));
            foreach (var approval in pending.Data)
            {
                seen.Add(approval.Id);
                await Console.Out.WriteLineAsync($"{approval.Id}: @{approval.Agent.Handle} wants {approval.Method} {approval.Url}");
                if (approval.BodyPreview is { } preview)
                {
                    await Console.Out.WriteLineAsync("  body: " + preview.ReplaceLineEndings(" "));
                }
                await Console.Out.WriteAsync($"  approve? [y]es / [a]lways / [N]o (expires {approval.ExpiresAt:HH:mm:ss}) ");
                await Console.Out.FlushAsync(ct);
                var answer = (await System.Console.In.ReadLineAsync(ct))?.Trim().ToLowerInvariant();
                var approve = answer is "y" or "yes" or "a" or "always";
                try
                {
                    var decided = await client.DecideApprovalAsync(approval.Id, approve, remember: answer is "a" or "always", ct);
                    await Console.Out.WriteLineAsync($"  {decided.Status}");
                }
                catch (ParleyApiException e) when (e.Code == Contracts.Errors.ErrorCodes.Conflict)
                {
                    await Console.Out.WriteLineAsync("  already decided, expired or cancelled");
                }
                if (parse.GetValue(Once))
                {
                    return 0;
                }
            }
        }
        return 0;
    }
}

/// <summary><c>parley log</c>: the gateway's request log, newest first.</summary>
internal sealed class LogCommand : WorkspaceCommand
{
    private static readonly Option<string> Agent = new("--agent");
    private static readonly Option<string> Host = new("--host");
    private static readonly Option<string> Decision = new("--decision") { Description = "allowed, blocked, rate_limited, approval_denied or error." };
    private static readonly Option<int?> Limit = new("--limit");

    public LogCommand(CliConsole console) : base("log", "The gateway's request log, newest first.", console)
    {
        Options.Add(Agent);
        Options.Add(Host);
        Options.Add(Decision);
        Options.Add(Limit);
    }

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var page = await client.ListGatewayLogAsync(WorkspaceOf(parse), parse.GetValue(Agent), parse.GetValue(Host), parse.GetValue(Decision), parse.GetValue(Limit),
            cancellationToken: ct);
        await PrintAsync(parse, page, ["at", "agent", "method", "url", "status", "decision", "error", "via"], page.Data.Select(l => new[]
        {
            l.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), "@" + l.Agent.Handle, l.Method, l.Host + l.Path,
            l.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", l.Decision, l.ErrorCode ?? "", l.Via,
        }));
        return 0;
    }
}
