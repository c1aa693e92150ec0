using System.CommandLine;
using System.Globalization;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley rooms list|create|show|post|members|files|put|get</c>: rooms as their members use them (an agent with its
/// key in <c>$PARLEY_TOKEN</c>, or a person signed in).
/// </summary>
internal sealed class RoomsCommand : Command
{
    private static readonly Argument<string> Room = new("room") { Description = "The room (rm_…)." };
    private static readonly Argument<string> RoomName = new("name") { Description = "The room's name." };
    private static readonly Argument<string> Agent = new("agent") { Description = "The agent (@handle, id or plate)." };
    private static readonly Argument<string> Text = new("text") { Description = "The message; @handles in it are mentions." };
    private static readonly Argument<string> RoomPath = new("path") { Description = "The file's path in the room (e.g. out/report.md)." };
    private static readonly Argument<FileInfo> LocalFile = new("file") { Description = "The local file to send." };
    private static readonly Option<string> Topic = new("--topic") { Description = "What the room is for." };
    private static readonly Option<int?> Limit = new("--limit") { Description = "How many messages (default 20)." };
    private static readonly Option<FileInfo> Output = new("--output", "-o") { Description = "Write the file here instead of standard output." };

    /// <summary>Above this the bytes go by a signed upload URL with a progress bar; below, inline in one request.</summary>
    private const int InlineLimit = 256 * 1024;

    public RoomsCommand(CliConsole console) : base("rooms", "Rooms: a shared thread, task board and files.")
    {
        Subcommands.Add(new Verb("list", "The rooms you (or your agents) belong to.", console, async (client, parse, _, self, ct) =>
        {
            var page = await client.ListRoomsAsync(100, cancellationToken: ct);
            await self.ShowAsync(parse, page, ["id", "name", "topic", "status", "created"],
                page.Data.Select(r => new[] { r.Id, r.Name, r.Topic, r.Status, Time(r.CreatedAt) }));
        }, needsWorkspace: false));

        var create = new Verb("create", "Creates a room.", console, async (client, parse, _, self, ct) =>
        {
            var room = await client.CreateRoomAsync(parse.GetValue(RoomName)!, parse.GetValue(Topic), cancellationToken: ct);
            await self.ShowAsync(parse, room, ["id", "name"], [[room.Id, room.Name]]);
        }, needsWorkspace: false);
        create.Arguments.Add(RoomName);
        create.Options.Add(Topic);
        Subcommands.Add(create);

        var show = new Verb("show", "The room's latest messages.", console, async (client, parse, _, self, ct) =>
        {
            var roomId = parse.GetValue(Room)!;
            // Without a cursor the server answers the latest messages, oldest first.
            var page = await client.GetRoomMessagesAsync(roomId, parse.GetValue(Limit) ?? 20, cancellationToken: ct);
            await self.ShowAsync(parse, page, ["seq", "from", "message", "at"],
                page.Data.Select(m => new[] { m.Seq.ToString(CultureInfo.InvariantCulture), Who(m.Sender), m.Body, Time(m.CreatedAt) }));
        }, needsWorkspace: false);
        show.Arguments.Add(Room);
        show.Options.Add(Limit);
        Subcommands.Add(show);

        var post = new Verb("post", "Posts a message to the room's thread.", console, async (client, parse, _, self, ct) =>
        {
            var text = parse.GetValue(Text)!;
            var mentions = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 1 && w[0] == '@')
                .Select(w => w[1..].TrimEnd(',', '.', ':', ';', '!', '?')).Distinct().ToList();
            var message = await client.PostRoomMessageAsync(parse.GetValue(Room)!, text, mentions.Count > 0 ? mentions : null, cancellationToken: ct);
            await self.ShowAsync(parse, message, ["message", "seq"], [[message.Id, message.Seq.ToString(CultureInfo.InvariantCulture)]]);
        }, needsWorkspace: false);
        post.Arguments.Add(Room);
        post.Arguments.Add(Text);
        Subcommands.Add(post);

        var members = new Verb("members", "The room's people and agents.", console, async (client, parse, _, self, ct) =>
        {
            var page = await client.ListRoomMembersAsync(parse.GetValue(Room)!, ct);
            await self.ShowAsync(parse, page, ["id", "kind", "role", "name", "workspace"],
                page.Data.Select(m => new[] { m.Id, m.Kind, m.Role, m.Handle is { } h ? "@" + h : m.DisplayName, m.WorkspaceId }));
        }, needsWorkspace: false);
        members.Arguments.Add(Room);
        Subcommands.Add(members);

        var add = new Verb("add", "Adds one of the room workspace's agents (@handle, id or plate) to the room.", console, async (client, parse, _, self, ct) =>
        {
            var member = await client.AddRoomMemberAsync(parse.GetValue(Room)!, new AddRoomMemberRequest(parse.GetValue(Agent)!.TrimStart('@')), ct);
            await self.ShowAsync(parse, member, ["id", "kind", "role"], [[member.Id, member.Kind, member.Role]]);
        }, needsWorkspace: false);
        add.Arguments.Add(Room);
        add.Arguments.Add(Agent);
        Subcommands.Add(add);

        var files = new Verb("files", "The room's files (latest version of each path).", console, async (client, parse, _, self, ct) =>
        {
            var page = await client.ListFilesAsync(parse.GetValue(Room)!, 100, cancellationToken: ct);
            await self.ShowAsync(parse, page, ["path", "version", "bytes", "status", "by", "at"], page.Data.Select(f => new[]
            {
                f.Path, f.Version.ToString(CultureInfo.InvariantCulture), f.Size.ToString(CultureInfo.InvariantCulture), f.Status, Who(f.UpdatedBy), Time(f.UpdatedAt),
            }));
        }, needsWorkspace: false);
        files.Arguments.Add(Room);
        Subcommands.Add(files);

        var put = new Verb("put", "Sends a local file to a room path (a new version when the path exists); large files show progress.", console,
            async (client, parse, _, self, ct) =>
            {
                var local = parse.GetValue(LocalFile)!;
                if (!local.Exists)
                {
                    throw new CliException($"No such file: {local.FullName}", 2);
                }
                var bytes = await File.ReadAllBytesAsync(local.FullName, ct);
                var (roomId, path) = (parse.GetValue(Room)!, parse.GetValue(RoomPath)!);
                var contentType = ContentTypes.For(local.Name);
                if (bytes.Length <= InlineLimit)
                {
                    var written = await client.WriteFileAsync(roomId, path, bytes, contentType, ct);
                    await self.ShowAsync(parse, written, ["path", "version", "bytes", "status"],
                        [[written.Path, written.Version.ToString(CultureInfo.InvariantCulture), written.Size.ToString(CultureInfo.InvariantCulture), written.Status]]);
                    return;
                }
                var uploaded = await console.ProgressAsync($"Uploading {local.Name}", bytes.Length,
                    progress => client.UploadFileAsync(roomId, path, bytes, contentType, progress, ct));
                await self.ShowAsync(parse, uploaded, ["file", "bytes", "status"],
                    [[uploaded.Id, uploaded.SizeBytes.ToString(CultureInfo.InvariantCulture), uploaded.Status]]);
            }, needsWorkspace: false);
        put.Arguments.Add(Room);
        put.Arguments.Add(RoomPath);
        put.Arguments.Add(LocalFile);
        Subcommands.Add(put);

        var get = new Verb("get", "Prints a room file (or writes it with -o).", console, async (client, parse, _, self, ct) =>
        {
            var bytes = await client.ReadFileAsync(parse.GetValue(Room)!, parse.GetValue(RoomPath)!, cancellationToken: ct);
            if (parse.GetValue(Output) is { } output)
            {
                await File.WriteAllBytesAsync(output.FullName, bytes, ct);
                return;
            }
            using var stdout = System.Console.OpenStandardOutput();
            await stdout.WriteAsync(bytes, ct);
        }, needsWorkspace: false);
        get.Arguments.Add(Room);
        get.Arguments.Add(RoomPath);
        get.Options.Add(Output);
        Subcommands.Add(get);
    }

    internal static string? Who(ActorRef? actor) =>
        actor is null ? null : actor.Handle is { } handle ? "@" + handle : actor.DisplayName ?? actor.Id;

    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary><c>parley tasks list|create|claim|renew|release|done</c>: a room's task board.</summary>
internal sealed class TasksCommand : Command
{
    private static readonly Argument<string> Room = new("room") { Description = "The room (rm_…)." };
    private static readonly Argument<string> Task = new("task") { Description = "The task (tsk_…)." };
    private static readonly Argument<string> Title = new("title") { Description = "What to do." };
    private static readonly Option<string> Status = new("--status") { Description = "Only tasks of this status (todo, doing, done, …)." };
    private static readonly Option<string> Assignee = new("--assignee") { Description = "The agent to do it (@handle, id or plate)." };
    private static readonly Option<string> Detail = new("--detail") { Description = "More about the task." };
    private static readonly Option<string> ClaimToken = new("--token")
    {
        Description = "The claim token `tasks claim` printed (default: $PARLEY_CLAIM_TOKEN).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PARLEY_CLAIM_TOKEN") ?? "",
    };
    private static readonly Option<string> Summary = new("--summary") { Description = "What was done." };
    private static readonly Option<int?> Ttl = new("--ttl") { Description = "The lease in seconds (300–7200; default the room's)." };

    public TasksCommand(CliConsole console) : base("tasks", "A room's task board: claim a task under a lease, renew it, finish it.")
    {
        var list = new Verb("list", "The room's tasks, in board order.", console, async (client, parse, _, self, ct) =>
        {
            var page = await client.ListTasksAsync(parse.GetValue(Room)!, parse.GetValue(Status), cancellationToken: ct);
            await self.ShowAsync(parse, page, ["id", "title", "status", "assignee", "held by", "lease until"], page.Data.Select(t => new[]
            {
                t.Id, t.Title, t.Status, RoomsCommand.Who(t.Assignee), RoomsCommand.Who(t.Claim?.Holder),
                t.Claim is { } c ? RoomsCommand.Time(c.ExpiresAt) : null,
            }));
        }, needsWorkspace: false);
        list.Arguments.Add(Room);
        list.Options.Add(Status);
        Subcommands.Add(list);

        var create = new Verb("create", "Adds a task to the board.", console, async (client, parse, _, self, ct) =>
        {
            var task = await client.CreateTaskAsync(parse.GetValue(Room)!,
                new CreateTaskRequest(parse.GetValue(Title), parse.GetValue(Detail), Assignee: parse.GetValue(Assignee)?.TrimStart('@')), ct);
            await self.ShowAsync(parse, task, ["id", "title", "status"], [[task.Id, task.Title, task.Status]]);
        }, needsWorkspace: false);
        create.Arguments.Add(Room);
        create.Arguments.Add(Title);
        create.Options.Add(Detail);
        create.Options.Add(Assignee);
        Subcommands.Add(create);

        var claim = new Verb("claim", "Claims a task (todo → doing) under a lease; prints the claim token the other verbs need.", console,
            async (client, parse, _, self, ct) =>
            {
                var claimed = await client.ClaimTaskAsync(parse.GetValue(Task)!, "cli-" + Environment.MachineName, parse.GetValue(Ttl), ct);
                await self.ShowAsync(parse, claimed, ["task", "claim token", "lease until"],
                    [[claimed.Task.Id, claimed.ClaimToken, RoomsCommand.Time(claimed.ExpiresAt)]]);
            }, needsWorkspace: false);
        claim.Arguments.Add(Task);
        claim.Options.Add(Ttl);
        Subcommands.Add(claim);

        var renew = new Verb("renew", "Extends the lease (renew at about half of it).", console, async (client, parse, _, self, ct) =>
        {
            var renewed = await client.RenewTaskAsync(parse.GetValue(Task)!, TokenOf(parse), ct);
            await self.ShowAsync(parse, renewed, ["task", "lease until"], [[renewed.Task.Id, RoomsCommand.Time(renewed.ExpiresAt)]]);
        }, needsWorkspace: false);
        renew.Arguments.Add(Task);
        renew.Options.Add(ClaimToken);
        Subcommands.Add(renew);

        var release = new Verb("release", "Gives the task back (todo).", console, async (client, parse, _, self, ct) =>
        {
            var task = await client.ReleaseTaskAsync(parse.GetValue(Task)!, TokenOf(parse), ct);
            await self.ShowAsync(parse, task, ["task", "status"], [[task.Id, task.Status]]);
        }, needsWorkspace: false);
        release.Arguments.Add(Task);
        release.Options.Add(ClaimToken);
        Subcommands.Add(release);

        var done = new Verb("done", "Marks the claimed task done, with a summary.", console, async (client, parse, _, self, ct) =>
        {
            var task = await client.SetTaskStatusAsync(parse.GetValue(Task)!, new TaskStatusRequest("done", TokenOf(parse), parse.GetValue(Summary)), ct);
            await self.ShowAsync(parse, task, ["task", "status"], [[task.Id, task.Status]]);
        }, needsWorkspace: false);
        done.Arguments.Add(Task);
        done.Options.Add(ClaimToken);
        done.Options.Add(Summary);
        Subcommands.Add(done);
    }

    private static string TokenOf(ParseResult parse) =>
        parse.GetValue(ClaimToken) is { Length: > 0 } token ? token
        : throw new CliException("Give the claim token: --token TOKEN or $PARLEY_CLAIM_TOKEN (parley tasks claim prints it).", 2);
}

/// <summary>A content type from a file's extension, for files sent to rooms.</summary>
internal static class ContentTypes
{
    public static string For(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".md" => "text/markdown",
        ".txt" or ".log" => "text/plain",
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".html" or ".htm" => "text/html",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".pdf" => "application/pdf",
        ".zip" => "application/zip",
        _ => "application/octet-stream",
    };
}
