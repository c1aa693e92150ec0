using System.CommandLine;
using System.Text.Json;
using Parley.Client;
using Parley.Contracts.Sessions;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley chat</c>: a model session in the terminal (sessions.md). Each line typed is a message; the answer streams
/// in as it comes, tool calls and their results shown on their own lines, and the tokens and credits it cost after it.
/// End with Ctrl-D. <c>--session</c> goes on with an existing session.
/// </summary>
internal sealed class ChatCommand : ParleyCommand
{
    private static readonly Option<string> Session = new("--session") { Description = "Go on with this session (ses_…)." };
    private static readonly Option<string> Model = new("--model") { Description = "The model (default: the workspace's first provider's default)." };
    private static readonly Option<string[]> Sites = new("--site") { Description = "A site whose tools the model may call (repeatable).", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string> System = new("--system") { Description = "The system prompt." };

    public ChatCommand(CliConsole console) : base("chat", "Chat with a model of the workspace, with its sites' tools (streams to the terminal).", console)
    {
        Options.Add(Session);
        Options.Add(Model);
        Options.Add(Sites);
        Options.Add(System);
        Options.Add(WorkspaceCommand.Workspace);
    }

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var sessionId = parse.GetValue(Session);
        if (sessionId is null)
        {
            var workspace = parse.GetValue(WorkspaceCommand.Workspace) is { Length: > 0 } ws ? ws : null;
            var session = await client.CreateSessionAsync(new CreateSessionRequest(workspace, parse.GetValue(Model), parse.GetValue(System), parse.GetValue(Sites)), ct);
            sessionId = session.Id;
            await Console.Out.WriteLineAsync($"session {session.Id} with {session.Model} (expires {session.ExpiresAt:yyyy-MM-dd HH:mm} UTC); Ctrl-D to end");
        }
        while (await global::System.Console.In.ReadLineAsync(ct) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            await foreach (var item in client.StreamSessionMessageAsync(sessionId, line, ct))
            {
                switch (item.Type)
                {
                    case "delta":
                        await Console.Out.WriteAsync(item.Text);
                        break;
                    case "tool_call":
                        await Console.Out.WriteLineAsync($"\n[tool {item.Data.GetProperty("tool").GetString()} {item.Data.GetProperty("arguments").GetRawText()}]");
                        break;
                    case "tool_result":
                        await Console.Out.WriteLineAsync(item.Data.GetProperty("ok").GetBoolean()
                            ? "[ok]"
                            : $"[failed: {item.Data.GetProperty("error").GetProperty("code").GetString()}]");
                        break;
                    case "done":
                        var usage = item.Data.GetProperty("usage");
                        var credits = item.Data.GetProperty("credits");
                        await Console.Out.WriteLineAsync(
                            $"\n({usage.GetProperty("input_tokens").GetInt64()} in, {usage.GetProperty("output_tokens").GetInt64()} out{(credits.ValueKind == JsonValueKind.Number ? $", {credits.GetDecimal()} credits" : "")})");
                        break;
                    case "error":
                        await Console.Error.WriteLineAsync($"\n{item.Data.GetProperty("error").GetProperty("code").GetString()}: {item.Data.GetProperty("error").GetProperty("message").GetString()}");
                        break;
                }
                await Console.Out.FlushAsync(ct);
            }
        }
        return 0;
    }
}
