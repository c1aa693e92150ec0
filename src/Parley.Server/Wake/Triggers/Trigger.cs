using Microsoft.EntityFrameworkCore;
using Parley.Server.Platform;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Wake.Triggers;

/// <summary>A webhook that starts runs of an agent: its secret sealed under the master key, an optional payload schema and prompt template.</summary>
internal sealed class Trigger
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string AgentId { get; set; }
    public required string Name { get; set; }

    /// <summary>A JSON Schema (draft 2020-12) the payload must meet; null accepts any JSON.</summary>
    public string? Schema { get; set; }

    /// <summary>The wake prompt, with <c>{{payload}}</c> replaced by the payload; null uses a default.</summary>
    public string? PromptTemplate { get; set; }

    /// <summary>The <c>whsec_…</c> secret, sealed (<see cref="Platform.Security.SecretBox"/>).</summary>
    public required byte[] Secret { get; set; }

    public required string CreatedBy { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A call already answered, by its <c>webhook-id</c>: a repeat gets the first answer.</summary>
internal sealed class TriggerCall
{
    public required string TriggerId { get; set; }
    public required string WebhookId { get; set; }
    public required string RunId { get; set; }
    public required string Status { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class TriggerConfiguration : IEntityTypeConfiguration<Trigger>, IEntityTypeConfiguration<TriggerCall>
{
    public void Configure(EntityTypeBuilder<Trigger> builder)
    {
        builder.ToTable("triggers");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => t.WorkspaceId);
    }

    public void Configure(EntityTypeBuilder<TriggerCall> builder)
    {
        builder.ToTable("trigger_calls");
        builder.HasKey(c => new { c.TriggerId, c.WebhookId });
        builder.HasIndex(c => c.CreatedAt);
    }
}

/// <summary>Forgets trigger calls after 24 hours: a <c>webhook-id</c> repeated later than that makes a new run (like an <c>Idempotency-Key</c>).</summary>
internal sealed class TriggerCallCleanupJob(Data.Writes writes, TimeProvider time) : Platform.Jobs.IBackgroundJob
{
    public string Name => "trigger-call-cleanup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = time.NowMs() - Clock.DayMs;
        return writes.RunAsync(ct => writes.Db.TriggerCalls.Where(c => c.CreatedAt <= before).ExecuteDeleteAsync(ct), cancellationToken);
    }
}
