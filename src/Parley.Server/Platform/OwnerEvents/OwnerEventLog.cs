using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Platform.OwnerEvents;

/// <summary>One event of a workspace's owner event stream, kept for <see cref="OwnerEventLog.RetentionMs"/> so a reconnecting stream can replay it.</summary>
internal sealed class OwnerEvent
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Type { get; set; }

    /// <summary>The event's summary as JSON (ids and a few fields).</summary>
    public required string Data { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class OwnerEventConfiguration : IEntityTypeConfiguration<OwnerEvent>
{
    public void Configure(EntityTypeBuilder<OwnerEvent> builder)
    {
        builder.ToTable("owner_events");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.WorkspaceId, e.Id });
        builder.HasIndex(e => e.CreatedAt);
    }
}

/// <summary>
/// Where features record what a workspace's owners should see happen (surfaces.md, the owner event stream:
/// <see cref="Contracts.Events.OwnerEventTypes"/>). An event is written inside the write that made it happen, so it
/// exists exactly when the change does, and announced on the cluster bus once that write commits (the stream on every
/// node listens there). Events are kept 10 minutes, the stream's replay window.
/// </summary>
internal sealed class OwnerEventLog(Writes writes, Ids ids, TimeProvider time, IClusterBus bus)
{
    /// <summary>The cluster bus topic; the message is the workspace id.</summary>
    public const string Topic = "owner-event";

    public const long RetentionMs = 10 * Clock.MinuteMs;

    /// <summary>Records an event in the current write.</summary>
    public void Record(string workspaceId, string type, object data)
    {
        writes.Db.OwnerEvents.Add(new OwnerEvent
        {
            Id = ids.New("evt"), WorkspaceId = workspaceId, Type = type, Data = JsonSerializer.Serialize(data, ParleyJson.Options), CreatedAt = time.NowMs(),
        });
        writes.AfterCommit(() => bus.PublishAsync(Topic, workspaceId, CancellationToken.None));
    }

    /// <summary>Records an event in a write of its own (for what happens outside any write, such as a socket closing).</summary>
    public Task RecordNowAsync(string workspaceId, string type, object data, CancellationToken ct) =>
        writes.RunAsync(_ =>
        {
            Record(workspaceId, type, data);
            return Task.CompletedTask;
        }, ct);
}

/// <summary>Deletes owner events past the replay window.</summary>
internal sealed class OwnerEventPruneJob(ParleyDb db, TimeProvider time) : IBackgroundJob
{
    public string Name => "owner-events-prune";
    public TimeSpan Interval => TimeSpan.FromMinutes(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = time.NowMs() - OwnerEventLog.RetentionMs;
        return db.OwnerEvents.Where(e => e.CreatedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
