using System.CommandLine;
using System.Text.Json;
using Parley.Client;
using Parley.Contracts.Json;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley tail</c>: the agent's live channel (the WebSocket), one line per event as it arrives — messages as
/// "@sender: text", other events by type — until Ctrl-C (or <c>--count</c> messages). It acknowledges nothing: what it
/// shows stays in the inbox. <c>--json</c> prints each event as one JSON line.
/// </summary>
internal sealed class TailCommand : ParleyCommand
{
    private static readonly Option<int?> Count = new("--count") { Description = "Stop after this many messages." };

    public TailCommand(CliConsole console) : base("tail", "Follows the agent's messages live (nothing is acknowledged).", console) => Options.Add(Count);

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var json = parse.GetValue(CliApp.Json);
        var left = parse.GetValue(Count);
        await using var stream = await client.ConnectAsync(cancellationToken: ct);
        await Console.Error.WriteLineAsync("Following (Ctrl-C to stop)…");
        try
        {
            await foreach (var item in stream.ReadAllAsync(ct))
            {
                if (json)
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { type = item.Type, payload = item.Payload }, ParleyJson.Options));
                }
                else if (item.Delivery is { } delivery)
                {
                    var message = delivery.Message;
                    var text = message.Content.ValueKind == JsonValueKind.Object && message.Content.TryGetProperty("text", out var t) ? t.GetString() : message.Content.GetRawText();
                    await Console.Out.WriteLineAsync($"{RoomsCommand.Time(message.CreatedAt)} @{message.Sender.Handle}: {text}");
                }
                else
                {
                    await Console.Out.WriteLineAsync($"{item.Type} {item.Payload.GetRawText()}");
                }
                await Console.Out.FlushAsync(ct);
                if (item.Delivery is not null && left is not null && --left <= 0)
                {
                    return 0;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        if (stream.EndedWith is { } closed)
        {
            throw new CliException($"The server closed the channel ({closed}): is the key still valid?");
        }
        return 0;
    }
}

/// <summary>
/// <c>parley events</c>: the workspace's owner events live (runs, devices, approvals, usage thresholds, consent), one
/// line each, until Ctrl-C (or <c>--count</c>); it reconnects with <c>Last-Event-ID</c> on its own.
/// </summary>
internal sealed class EventsCommand : WorkspaceCommand
{
    private static readonly Option<int?> Count = new("--count") { Description = "Stop after this many events." };

    public EventsCommand(CliConsole console) : base("events", "Follows the workspace's owner events live.", console) => Options.Add(Count);

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var left = parse.GetValue(Count);
        try
        {
            // Said once the server has taken the stream: what happens after this line is shown.
            await foreach (var item in client.StreamOwnerEventsAsync(WorkspaceOf(parse), connected: () => Console.Error.WriteLine("Following (Ctrl-C to stop)…"),
                cancellationToken: ct))
            {
                await Console.Out.WriteLineAsync(parse.GetValue(CliApp.Json)
                    ? JsonSerializer.Serialize(new { id = item.Id, type = item.Type, data = item.Data }, ParleyJson.Options)
                    : $"{item.Type} {item.Data.GetRawText()}");
                await Console.Out.FlushAsync(ct);
                if (left is not null && --left <= 0)
                {
                    return 0;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return 0;
    }
}
