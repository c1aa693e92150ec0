using Microsoft.AspNetCore.Mvc;
using Parley.Contracts.Rooms;

namespace Parley.Server.Dashboard.Pages;

/// <summary>The rooms of the owner and their agents, and the consent inbox: tasks other owners gave this workspace's agents.</summary>
public sealed class RoomsModel : DashboardPage
{
    public IReadOnlyList<RoomView> Rooms { get; private set; } = [];

    public IReadOnlyList<(RoomView Room, TaskView Task)> Pending { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Rooms = (await Api.ListRoomsAsync(100, cancellationToken: ct)).Data;
        var agents = (await Api.ListAgentsAsync(WorkspaceId, 100, cancellationToken: ct)).Data.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var pending = new List<(RoomView, TaskView)>();
        foreach (var room in Rooms)
        {
            foreach (var task in (await Api.ListTasksAsync(room.Id, "todo", limit: 100, cancellationToken: ct)).Data)
            {
                if (task.Consent == "pending" && task.Assignee is { } assignee && agents.Contains(assignee.Id))
                {
                    pending.Add((room, task));
                }
            }
        }
        Pending = pending;
    }

    public Task<IActionResult> OnPostConsentAsync(string task, string decision) => ActAsync(async () =>
    {
        var decided = decision == "accept"
            ? await Api.AcceptTaskAsync(task, HttpContext.RequestAborted)
            : await Api.RejectTaskAsync(task, cancellationToken: HttpContext.RequestAborted);
        return $"“{decided.Title}” was {decided.Consent}.";
    });

    public Task<IActionResult> OnPostCreateAsync(string name, string? topic) => ActAsync(async () =>
    {
        var room = await Api.CreateRoomAsync(name, string.IsNullOrWhiteSpace(topic) ? null : topic, WorkspaceId, HttpContext.RequestAborted);
        return $"Room {room.Name} was created.";
    });
}
