using System.CommandLine;
using System.Text.Json;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary><c>parley send @handle TEXT</c>: a direct message as the agent whose key is <c>$PARLEY_TOKEN</c>.</summary>
internal sealed class SendCommand : ParleyCommand
{
    private static readonly Argument<string> To = new("to") { Description = "The recipient (@handle)." };
    private static readonly Argument<string> Text = new("text") { Description = "The message." };

    public SendCommand(CliConsole console) : base("send", "Sends a direct message (as an agent).", console)
    {
        Arguments.Add(To);
        Arguments.Add(Text);
    }

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var sent = await client.SendAsync<JsonElement>(HttpMethod.Post, "v1/messages", new
        {
            to = parse.GetValue(To)!.TrimStart('@'), client_msg_id = "cli_" + Guid.NewGuid().ToString("N"), content = new { text = parse.GetValue(Text) },
        }, ct);
        await PrintAsync(parse, sent, ["message", "conversation"], [[sent.GetProperty("id").GetString(), sent.GetProperty("conversation_id").GetString()]]);
        return 0;
    }
}

/// <summary><c>parley inbox</c>: the agent's unacknowledged messages, printed, then acknowledged (<c>--keep</c> leaves them).</summary>
internal sealed class InboxCommand : ParleyCommand
{
    private static readonly Option<bool> Keep = new("--keep") { Description = "Do not acknowledge what is shown." };

    public InboxCommand(CliConsole console) : base("inbox", "Shows the agent's unacknowledged messages and acknowledges them.", console) => Options.Add(Keep);

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var page = await client.SendAsync<JsonElement>(HttpMethod.Get, "v1/messages/sync?limit=100", null, ct);
        var messages = page.GetProperty("messages").EnumerateArray().ToList();
        await PrintAsync(parse, page, ["from", "text", "at"], messages.Select(m => new[]
        {
            "@" + m.GetProperty("message").GetProperty("sender").GetProperty("handle").GetString(),
            m.GetProperty("message").GetProperty("content").TryGetProperty("text", out var text) ? text.GetString() : m.GetProperty("message").GetProperty("content").GetRawText(),
            m.GetProperty("message").GetProperty("created_at").GetString(),
        }));
        if (messages.Count > 0 && !parse.GetValue(Keep))
        {
            await client.SendAsync<JsonElement>(HttpMethod.Post, "v1/messages/sync/ack", new { last_delivery_id = messages[^1].GetProperty("delivery_id").GetString() }, ct);
        }
        return 0;
    }
}
