using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Server.Channel;
using Parley.Server.Data;

namespace Parley.Server.Rooms.Board;

/// <summary><c>task.updated</c>: task id, room id, change → <c>{change, task_id, room_id, task}</c> (task null once deleted).</summary>
internal sealed class TaskUpdatedEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.TaskUpdated;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == a[0], ct);
        return new
        {
            change = a[2],
            task_id = a[0],
            room_id = a[1],
            task = task is null ? null : await BoardViews.TaskAsync(db, task, ct),
        };
    }
}
