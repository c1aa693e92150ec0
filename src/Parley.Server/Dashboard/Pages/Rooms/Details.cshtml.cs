using Microsoft.AspNetCore.Mvc;
using Parley.Client;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;

namespace Parley.Server.Dashboard.Pages;

/// <summary>One room: its thread (post as yourself), its task board (add a task), its members (add an agent), consent.</summary>
public sealed class RoomDetailsModel : DashboardPage
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public RoomView? Room { get; private set; }
    public IReadOnlyList<RoomMessageView> Messages { get; private set; } = [];
    public IReadOnlyList<TaskView> Tasks { get; private set; } = [];
    public IReadOnlyList<RoomMemberView> Members { get; private set; } = [];
    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        try
        {
            Room = await Api.GetRoomAsync(Id, ct);
        }
        catch (ParleyApiException e)
        {
            Error = Describe(e);
            Response.StatusCode = (int)e.Status;
            return Page();
        }
        Messages = (await Api.GetRoomMessagesAsync(Id, 50, cancellationToken: ct)).Data;
        Tasks = (await Api.ListTasksAsync(Id, limit: 100, cancellationToken: ct)).Data;
        Members = (await Api.ListRoomMembersAsync(Id, ct)).Data;
        Agents = (await Api.ListAgentsAsync(WorkspaceId, 100, cancellationToken: ct)).Data;
        return Page();
    }

    private Task<IActionResult> BackAsync(Func<Task<string>> action) => ActAsync(action, "/Rooms/Details", new { id = Id, ws = WorkspaceId });

    public Task<IActionResult> OnPostPostAsync(string body) => BackAsync(async () =>
    {
        await Api.PostRoomMessageAsync(Id, body, cancellationToken: HttpContext.RequestAborted);
        return "Posted.";
    });

    public Task<IActionResult> OnPostTaskAsync(string title, string? assignee) => BackAsync(async () =>
    {
        var task = await Api.CreateTaskAsync(Id, new CreateTaskRequest(title, Assignee: string.IsNullOrEmpty(assignee) ? null : assignee), HttpContext.RequestAborted);
        return $"“{task.Title}” is on the board.";
    });

    public Task<IActionResult> OnPostMemberAsync(string agent) => BackAsync(async () =>
    {
        var member = await Api.AddRoomMemberAsync(Id, new AddRoomMemberRequest(agent), HttpContext.RequestAborted);
        return $"@{member.Handle} joined the room.";
    });

    public Task<IActionResult> OnPostConsentAsync(string mode) => BackAsync(async () =>
    {
        var consent = await Api.SetRoomConsentAsync(Id, new ConsentRequest(mode, WorkspaceId: WorkspaceId), HttpContext.RequestAborted);
        return $"Tasks from other owners: {consent.Mode.Replace('_', ' ')}.";
    });
}
