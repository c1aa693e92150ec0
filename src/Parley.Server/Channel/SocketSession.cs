using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Data;

namespace Parley.Server.Channel;

/// <summary>A live socket, per node; the node refreshes <see cref="SeenAt"/> of its rows, so a dead node's rows go stale.</summary>
internal sealed class SocketSession
{
    /// <summary>A node refreshes its sessions every 30 s; a session unseen for 90 s belongs to a dead node.</summary>
    public const long StaleAfterMs = 90_000;

    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string NodeId { get; set; }
    public long SeenAt { get; set; }
}

internal sealed class SocketSessionConfiguration : IEntityTypeConfiguration<SocketSession>
{
    public void Configure(EntityTypeBuilder<SocketSession> builder)
    {
        builder.ToTable("socket_sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.AgentId);
        builder.HasIndex(s => s.NodeId);
    }
}

/// <summary>What other modules may ask of the channel's sessions.</summary>
internal static class ChannelQueries
{
    /// <summary>Whether the agent has an open socket on any live node.</summary>
    public static Task<bool> IsConnectedAsync(ParleyDb db, string agentId, long now, CancellationToken ct)
    {
        var fresh = now - SocketSession.StaleAfterMs;
        return db.SocketSessions.AnyAsync(s => s.AgentId == agentId && s.SeenAt > fresh, ct);
    }
}
