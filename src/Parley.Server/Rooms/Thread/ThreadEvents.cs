using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Server.Channel;
using Parley.Server.Data;

namespace Parley.Server.Rooms.Thread;

/// <summary><c>room.message</c>: the message id → the message.</summary>
internal sealed class RoomMessageEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.RoomMessage;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var message = await db.RoomMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == a[0], ct);
        return message is null ? null : (await ThreadViews.MessagesAsync(db, [message], ct))[0];
    }
}

/// <summary><c>mention.new</c>: the mention id → the mention (nothing once it was acknowledged).</summary>
internal sealed class MentionEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.MentionNew;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var mention = await db.Mentions.AsNoTracking().FirstOrDefaultAsync(m => m.Id == a[0] && m.AckedAt == null, ct);
        return mention is null ? null : (await ThreadViews.MentionsAsync(db, [mention], ct))[0];
    }
}
