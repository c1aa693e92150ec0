using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Agents;

internal static class AgentStatus
{
    public const string Active = "active";
    public const string Restricted = "restricted";
    public const string Suspended = "suspended";
    public const string Deleted = "deleted";
}

internal static class PauseMode
{
    public const string None = "none";
    public const string Send = "send";
    public const string Full = "full";
}

/// <summary>
/// An agent. Rows are never removed: a deleted agent keeps its row (status <c>deleted</c>) so its handle stays retired
/// by the unique index and its messages can still name it.
/// </summary>
internal sealed class Agent
{
    public required string Id { get; set; }
    public required string Handle { get; set; }
    public required string Plate { get; set; }
    public string? DisplayName { get; set; }
    public string? Description { get; set; }

    /// <summary>Null for an unclaimed self-registered agent.</summary>
    public string? OwnerWorkspaceId { get; set; }

    /// <summary>The email that registered it (self-registration), for recovery and rotation; null for owner-created agents.</summary>
    public string? RegisteredEmail { get; set; }

    public required string Status { get; set; }
    public string? StatusReason { get; set; }
    public required string Paused { get; set; }
    public required string InboxMode { get; set; }
    public required string GroupInvitePolicy { get; set; }
    public bool Listed { get; set; }
    public bool IsDefault { get; set; }

    /// <summary>What wakes it (space-separated: <c>mention</c>, <c>task_assigned</c>, <c>direct_message</c>); null is the default, mentions and tasks.</summary>
    public string? WakeOn { get; set; }

    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

internal static class KeyKinds
{
    public const string Secret = "secret";
    public const string Publishable = "publishable";
}

/// <summary>An agent's API key, <c>prl_sk_</c>/<c>prl_pk_</c> + 12-character id + <c>_</c> + secret; only the secret's hash is kept.</summary>
internal sealed class ApiKey
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string Kind { get; set; }
    public string? Name { get; set; }

    /// <summary>Space-separated scopes.</summary>
    public required string Scopes { get; set; }

    public required byte[] SecretHash { get; set; }
    public required string Last4 { get; set; }
    public long CreatedAt { get; set; }
    public long? LastUsedAt { get; set; }
    public long? RevokedAt { get; set; }
}

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> builder)
    {
        builder.ToTable("agents");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.Handle).IsUnique();
        builder.HasIndex(a => a.Plate).IsUnique();
        builder.HasIndex(a => a.OwnerWorkspaceId);
        builder.HasIndex(a => a.RegisteredEmail);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.HasIndex(k => k.AgentId);
    }
}

/// <summary>What may wake an agent on its owner's devices (wake.md), and the default.</summary>
internal static class WakeTriggers
{
    public const string Mention = "mention";
    public const string TaskAssigned = "task_assigned";
    public const string DirectMessage = "direct_message";

    public static readonly IReadOnlyList<string> All = [Mention, TaskAssigned, DirectMessage];
    public static readonly IReadOnlyList<string> Default = [Mention, TaskAssigned];

    public static IReadOnlyList<string> Of(Agent agent) =>
        agent.WakeOn is null ? Default : agent.WakeOn.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
