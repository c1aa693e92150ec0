using System.CommandLine;
using System.Text.Json;
using Parley.Contracts.Wake;

namespace Parley.Cli.Commands;

/// <summary><c>parley triggers list|create|rotate|rm</c>: webhooks that start runs of an agent (wake.md).</summary>
internal sealed class TriggersCommand : Command
{
    private static readonly Argument<string> Agent = new("agent") { Description = "The agent the trigger runs (@handle, id or plate)." };
    private static readonly Argument<string> Trigger = new("trigger") { Description = "The trigger (trg_…)." };
    private static readonly Option<string> TriggerName = new("--name") { Description = "A name for people.", Required = true };
    private static readonly Option<FileInfo> Schema = new("--schema") { Description = "A JSON Schema file the payload must match." };
    private static readonly Option<string> Prompt = new("--prompt") { Description = "The run's prompt; {{payload}} stands for the JSON payload." };

    public TriggersCommand(CliConsole console) : base("triggers", "Webhooks that start runs of an agent.")
    {
        Subcommands.Add(new Verb("list", "The workspace's triggers (never their secrets).", console, async (client, parse, ws, self, ct) =>
        {
            var list = await client.ListTriggersAsync(ws, ct);
            await self.ShowAsync(parse, list, ["id", "name", "agent", "url", "created"],
                list.Data.Select(t => new[] { t.Id, t.Name, t.AgentId, t.Url, RoomsCommand.Time(t.CreatedAt) }));
        }));

        var create = new Verb("create", "Makes a trigger; its secret is shown once.", console, async (client, parse, ws, self, ct) =>
        {
            JsonElement? schema = null;
            if (parse.GetValue(Schema) is { } file)
            {
                try
                {
                    schema = JsonDocument.Parse(await File.ReadAllTextAsync(file.FullName, ct)).RootElement.Clone();
                }
                catch (Exception e) when (e is IOException or JsonException)
                {
                    throw new CliException($"The schema file {file.FullName} is not readable JSON ({e.Message}).", 2);
                }
            }
            var agent = await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct);
            var created = await client.CreateTriggerAsync(ws, agent, new CreateTriggerRequest(parse.GetValue(TriggerName), schema, parse.GetValue(Prompt)), ct);
            await self.ShowAsync(parse, created, ["id", "url", "secret (shown once)"], [[created.Id, created.Url, created.Secret]]);
        });
        create.Arguments.Add(Agent);
        create.Options.Add(TriggerName);
        create.Options.Add(Schema);
        create.Options.Add(Prompt);
        Subcommands.Add(create);

        var rotate = new Verb("rotate", "Gives the trigger a new secret (shown once); the old one stops working.", console, async (client, parse, ws, self, ct) =>
        {
            var rotated = await client.RotateTriggerSecretAsync(ws, parse.GetValue(Trigger)!, ct);
            await self.ShowAsync(parse, rotated, ["id", "secret (shown once)"], [[rotated.Id, rotated.Secret]]);
        });
        rotate.Arguments.Add(Trigger);
        Subcommands.Add(rotate);

        var remove = new Verb("rm", "Removes a trigger.", console, async (client, parse, ws, _, ct) =>
            await client.DeleteTriggerAsync(ws, parse.GetValue(Trigger)!, ct));
        remove.Arguments.Add(Trigger);
        Subcommands.Add(remove);
    }
}

/// <summary><c>parley schedules list|add|enable|disable|rm</c>: an agent's runs on a cron expression (wake.md).</summary>
internal sealed class SchedulesCommand : Command
{
    private static readonly Argument<string> Agent = new("agent") { Description = "The agent (@handle, id or plate)." };
    private static readonly Argument<string> Schedule = new("schedule") { Description = "The schedule (sch_…)." };
    private static readonly Option<string> Cron = new("--cron") { Description = "Five fields: minute hour day-of-month month day-of-week.", Required = true };
    private static readonly Option<string> TimeZone = new("--tz") { Description = "An IANA time zone (default UTC).", DefaultValueFactory = _ => "UTC" };
    private static readonly Option<string> Input = new("--input") { Description = "JSON the run gets as its input." };

    public SchedulesCommand(CliConsole console) : base("schedules", "An agent's scheduled runs.")
    {
        var list = new Verb("list", "The agent's schedules, with their next run.", console, async (client, parse, ws, self, ct) =>
        {
            var agent = await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct);
            var schedules = await client.ListSchedulesAsync(ws, agent, ct);
            await self.ShowAsync(parse, schedules, ["id", "cron", "time zone", "enabled", "next run", "last run"], schedules.Data.Select(s => new[]
            {
                s.Id, s.Cron, s.Timezone, s.Enabled ? "yes" : "no", s.NextRunAt is { } next ? RoomsCommand.Time(next) : "-",
                s.LastRunAt is { } last ? RoomsCommand.Time(last) : "-",
            }));
        });
        list.Arguments.Add(Agent);
        Subcommands.Add(list);

        var add = new Verb("add", "Runs the agent on a schedule.", console, async (client, parse, ws, self, ct) =>
        {
            JsonElement? input = null;
            if (parse.GetValue(Input) is { } text)
            {
                try
                {
                    input = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw new CliException($"--input is not JSON ({e.Message}).", 2);
                }
            }
            var agent = await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct);
            var created = await client.CreateScheduleAsync(ws, agent, new CreateScheduleRequest(parse.GetValue(Cron), parse.GetValue(TimeZone), input), ct);
            await self.ShowAsync(parse, created, ["id", "cron", "time zone", "next run"],
                [[created.Id, created.Cron, created.Timezone, created.NextRunAt is { } next ? RoomsCommand.Time(next) : "-"]]);
        });
        add.Arguments.Add(Agent);
        add.Options.Add(Cron);
        add.Options.Add(TimeZone);
        add.Options.Add(Input);
        Subcommands.Add(add);

        foreach (var (name, enabled) in new[] { ("enable", true), ("disable", false) })
        {
            var verb = new Verb(name, enabled ? "Turns a schedule on." : "Turns a schedule off (it is kept).", console, async (client, parse, ws, self, ct) =>
            {
                var agent = await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct);
                var changed = await client.UpdateScheduleAsync(ws, agent, parse.GetValue(Schedule)!, new UpdateScheduleRequest(Enabled: enabled), ct);
                await self.ShowAsync(parse, changed, ["id", "enabled", "next run"],
                    [[changed.Id, changed.Enabled ? "yes" : "no", changed.NextRunAt is { } next ? RoomsCommand.Time(next) : "-"]]);
            });
            verb.Arguments.Add(Agent);
            verb.Arguments.Add(Schedule);
            Subcommands.Add(verb);
        }

        var remove = new Verb("rm", "Removes a schedule.", console, async (client, parse, ws, _, ct) =>
            await client.DeleteScheduleAsync(ws, await AgentNames.IdAsync(client, ws, parse.GetValue(Agent)!, ct), parse.GetValue(Schedule)!, ct));
        remove.Arguments.Add(Agent);
        remove.Arguments.Add(Schedule);
        Subcommands.Add(remove);
    }
}
