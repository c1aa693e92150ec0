using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Parley.Client;
using Parley.Contracts.Identity;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley agents list|create|pause|resume</c>.</summary>
internal sealed class AgentsCommand : Command
{
    private static readonly Argument<string> Agent = new("agent") { Description = "The agent (id, handle or plate)." };
    private static readonly Option<string> NewKey = new("--new") { Description = "Make a key of this kind: secret or publishable." };
    private static readonly Option<string> RevokeKey = new("--revoke") { Description = "Revoke this key (key_…)." };

    public AgentsCommand(CliConsole console) : base("agents", "The workspace's agents.")
    {
        Subcommands.Add(new Verb("list", "Lists the workspace's agents.", console, async (client, parse, ws, self, ct) =>
        {
            var page = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{ws}/agents?limit=100", null, ct);
            await self.ShowAsync(parse, page, ["handle", "id", "status", "paused"], page.GetProperty("data").EnumerateArray()
                .Select(a => new[] { a.GetProperty("handle").GetString(), a.GetProperty("id").GetString(), a.GetProperty("status").GetString(), a.GetProperty("paused").GetString() }));
        }));
        var create = new Verb("create", "Creates an agent; its key is shown once.", console, async (client, parse, ws, self, ct) =>
        {
            var created = await client.SendAsync<JsonElement>(HttpMethod.Post, $"v1/workspaces/{ws}/agents", new { handle = parse.GetValue(Agent) }, ct);
            await self.ShowAsync(parse, created, ["handle", "id", "api key (shown once)"],
                [[created.GetProperty("agent").GetProperty("handle").GetString(), created.GetProperty("agent").GetProperty("id").GetString(), created.GetProperty("api_key").GetString()]]);
        });
        create.Arguments.Add(Agent);
        Subcommands.Add(create);
        foreach (var (name, paused) in new[] { ("pause", "full"), ("resume", "none") })
        {
            var verb = new Verb(name, name == "pause" ? "Pauses an agent (it is not woken and cannot act)." : "Resumes a paused agent.", console,
                async (client, parse, ws, self, ct) =>
                {
                    var id = await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct);
                    var agent = await client.SendAsync<JsonElement>(HttpMethod.Patch, $"v1/workspaces/{ws}/agents/{Uri.EscapeDataString(id)}", new { paused }, ct);
                    await self.ShowAsync(parse, agent, ["handle", "paused"], [[agent.GetProperty("handle").GetString(), agent.GetProperty("paused").GetString()]]);
                });
            verb.Arguments.Add(Agent);
            Subcommands.Add(verb);
        }

        var keys = new Verb("keys", "The agent's live keys; --new makes one (shown once), --revoke KEY revokes one.", console, async (client, parse, ws, self, ct) =>
        {
            var id = Uri.EscapeDataString(await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct));
            if (parse.GetValue(NewKey) is { Length: > 0 } kind)
            {
                var created = await client.SendAsync<KeyCreated>(HttpMethod.Post, $"v1/workspaces/{ws}/agents/{id}/keys", new CreateKeyRequest(kind), ct);
                await self.ShowAsync(parse, created, ["key", "kind", "api key (shown once)"], [[created.Key.Id, created.Key.Kind, created.ApiKey]]);
                return;
            }
            if (parse.GetValue(RevokeKey) is { Length: > 0 } keyId)
            {
                await client.SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{ws}/agents/{id}/keys/{Uri.EscapeDataString(keyId)}", null, ct);
                return;
            }
            var page = await client.SendAsync<Page<KeyView>>(HttpMethod.Get, $"v1/workspaces/{ws}/agents/{id}/keys", null, ct);
            await self.ShowAsync(parse, page, ["key", "kind", "name", "scopes", "ends in", "last used"], page.Data.Select(k => new[]
            {
                k.Id, k.Kind, k.Name, string.Join(' ', k.Scopes), "…" + k.Last4, k.LastUsedAt is { } used ? RoomsCommand.Time(used) : "never",
            }));
        });
        keys.Arguments.Add(Agent);
        keys.Options.Add(NewKey);
        keys.Options.Add(RevokeKey);
        Subcommands.Add(keys);
    }
}

/// <summary>Agent routes of a workspace take the agent's id: a handle (with or without @) or plate is looked up first.</summary>
internal static class AgentNames
{
    public static async Task<string> IdAsync(ParleyClient client, string workspace, string name, CancellationToken ct)
    {
        if (name.StartsWith("agt_", StringComparison.Ordinal))
        {
            return name;
        }
        var wanted = name.TrimStart('@');
        var page = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{workspace}/agents?limit=100", null, ct);
        return page.GetProperty("data").EnumerateArray()
            .FirstOrDefault(a => a.GetProperty("handle").GetString() == wanted || a.GetProperty("plate").GetString() == wanted) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("id").GetString()!
            : throw new CliException($"AGENT_NOT_FOUND: no agent '{name}' in workspace {workspace}.");
    }
}

/// <summary><c>parley devices list|approve CODE|revoke ID</c>.</summary>
internal sealed class DevicesCommand : Command
{
    private static readonly Argument<string> Value = new("value") { Description = "The code a device shows, or a device id." };

    public DevicesCommand(CliConsole console) : base("devices", "The workspace's paired devices.")
    {
        Subcommands.Add(new Verb("list", "Lists the devices, online or not.", console, async (client, parse, ws, self, ct) =>
        {
            var list = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{ws}/devices", null, ct);
            await self.ShowAsync(parse, list, ["id", "name", "status", "online", "bindings"], list.GetProperty("data").EnumerateArray().Select(d => new[]
            {
                d.GetProperty("id").GetString(), d.GetProperty("name").GetString(), d.GetProperty("status").GetString(),
                d.GetProperty("online").GetBoolean() ? "yes" : "no", d.GetProperty("bindings").GetArrayLength().ToString(CultureInfo.InvariantCulture),
            }));
        }));
        var approve = new Verb("approve", "Approves a pairing by the code the device shows.", console, async (client, parse, ws, self, ct) =>
        {
            var approved = await client.SendAsync<JsonElement>(HttpMethod.Post, $"v1/workspaces/{ws}/devices/approve", new { user_code = parse.GetValue(Value) }, ct);
            await self.ShowAsync(parse, approved, ["device", "name"], [[approved.GetProperty("device").GetProperty("id").GetString(), approved.GetProperty("device").GetProperty("name").GetString()]]);
        });
        approve.Arguments.Add(Value);
        Subcommands.Add(approve);
        var revoke = new Verb("revoke", "Revokes a device: its token stops working, its listener is disconnected.", console, async (client, parse, ws, self, ct) =>
            await client.SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{ws}/devices/{Uri.EscapeDataString(parse.GetValue(Value)!)}", null, ct));
        revoke.Arguments.Add(Value);
        Subcommands.Add(revoke);
    }
}

/// <summary><c>parley runs list|show|start|cancel</c>.</summary>
internal sealed class RunsCommand : Command
{
    private static readonly Argument<string> Value = new("value") { Description = "A run id, or for start an agent." };
    private static readonly Option<string> Status = new("--status") { Description = "Only runs of this status." };

    public RunsCommand(CliConsole console) : base("runs", "The workspace's runs.")
    {
        var list = new Verb("list", "Lists runs, newest first.", console, async (client, parse, ws, self, ct) =>
        {
            var page = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{ws}/runs" + (parse.GetValue(Status) is { } s ? "?status=" + Uri.EscapeDataString(s) : ""), null, ct);
            await self.ShowAsync(parse, page, ["id", "agent", "reason", "status", "created"], page.GetProperty("data").EnumerateArray().Select(Row));
        });
        list.Options.Add(Status);
        Subcommands.Add(list);
        foreach (var (name, method, path, description) in new[]
        {
            ("show", "GET", "v1/runs/{0}", "One run, with how it ended."),
            ("cancel", "POST", "v1/runs/{0}/cancel", "Cancels a run."),
            ("start", "POST", "v1/agents/{0}/runs", "Starts a run of an agent by hand."),
        })
        {
            var verb = new Verb(name, description, console, async (client, parse, ws, self, ct) =>
            {
                var run = await client.SendAsync<JsonElement>(new HttpMethod(method), string.Format(CultureInfo.InvariantCulture, path, Uri.EscapeDataString(parse.GetValue(Value)!)),
                    method == "POST" ? new { } : null, ct);
                await self.ShowAsync(parse, run, ["id", "agent", "reason", "status", "created"], [Row(run)]);
            }, needsWorkspace: false);
            verb.Arguments.Add(Value);
            Subcommands.Add(verb);
        }
    }

    private static string?[] Row(JsonElement r) =>
        [r.GetProperty("id").GetString(), r.GetProperty("agent_id").GetString(), r.GetProperty("reason").GetString(), r.GetProperty("status").GetString(),
         r.GetProperty("created_at").GetString()];
}

/// <summary><c>parley usage</c>: this month's meters as bars against their quotas, and the credit balance.</summary>
internal sealed class UsageCommand(CliConsole console) : WorkspaceCommand("usage", "This month's usage against the plan, and credits.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var ws = WorkspaceOf(parse);
        var usage = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{ws}/usage", null, ct);
        if (parse.GetValue(CliApp.Json))
        {
            await PrintAsync(parse, usage, [], []);
            return 0;
        }
        // One bar per meter, as a share of its monthly quota; a meter without a quota shows its count only.
        var chart = new BarChart().Width(72).Label("This month, against the plan (%)").WithMaxValue(100).ShowValues();
        foreach (var meter in usage.GetProperty("meters").EnumerateArray())
        {
            var count = meter.GetProperty("count").GetInt64();
            var limit = meter.GetProperty("limit");
            var quota = limit.ValueKind == JsonValueKind.Number && limit.GetInt64() > 0 ? limit.GetInt64() : 0;
            var percent = quota > 0 ? Math.Min(100, count * 100.0 / quota) : 0;
            var label = quota > 0 ? $"{meter.GetProperty("meter").GetString()} {count}/{quota}" : $"{meter.GetProperty("meter").GetString()} {count} (no quota)";
            chart.AddItem(Markup.Escape(label), Math.Round(percent, 1), percent >= 100 ? Color.Red : percent >= 80 ? Color.Yellow : Color.Green);
        }
        Console.Ansi.Write(chart);
        var credits = await client.SendAsync<JsonElement>(HttpMethod.Get, $"v1/workspaces/{ws}/credits", null, ct);
        Console.Ansi.WriteLine($"credits: {credits.GetProperty("balance").GetDecimal().ToString(CultureInfo.InvariantCulture)}");
        await Console.Out.FlushAsync(ct);
        return 0;
    }
}

/// <summary>A verb of a noun group: its action gets the client, the parse, the workspace (when it needs one) and itself (to print).</summary>
internal sealed class Verb(string name, string description, CliConsole console, Func<ParleyClient, ParseResult, string, Verb, CancellationToken, Task> action,
    bool needsWorkspace = true) : WorkspaceCommand(name, description, console)
{
    public Task ShowAsync(ParseResult parse, JsonElement answer, string[] headers, IEnumerable<string?[]> rows) => PrintAsync(parse, answer, headers, rows);

    public Task ShowAsync<T>(ParseResult parse, T answer, string[] headers, IEnumerable<string?[]> rows) => PrintAsync(parse, answer, headers, rows);

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        await action(client, parse, needsWorkspace ? WorkspaceOf(parse) : "", this, ct);
        return 0;
    }
}
