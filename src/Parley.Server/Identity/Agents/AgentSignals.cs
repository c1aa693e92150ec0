using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;

namespace Parley.Server.Identity.Agents;

/// <summary>
/// Something the agent must be told (<c>agent.claimed</c>, <c>agent.released</c>, <c>agent.status_changed</c>). Stored with
/// the change that caused it; the messaging module pushes it on the agent's WebSockets and webhooks.
/// </summary>
internal sealed class AgentNotice
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class AgentNoticeConfiguration : IEntityTypeConfiguration<AgentNotice>
{
    public void Configure(EntityTypeBuilder<AgentNotice> builder)
    {
        builder.ToTable("agent_notices");
        builder.HasKey(n => n.Id);
        builder.HasIndex(n => new { n.AgentId, n.CreatedAt });
    }
}

/// <summary>
/// Identity's announcements to the rest of the server, on every node: credentials that stopped being valid (sockets
/// opened with them close with 1008) and notices for agents. Both go out after the change commits.
/// </summary>
internal sealed class AgentSignals(Writes writes, IClusterBus bus, Ids ids, TimeProvider time, IEnumerable<IAgentNoticeListener> listeners)
{
    /// <summary>Payload <c>&lt;agent id&gt;</c> or <c>&lt;agent id&gt;:&lt;key id&gt;</c>.</summary>
    public const string CredentialsRevoked = "agent.credentials";

    /// <summary>Payload <c>&lt;agent id&gt;:&lt;notice id&gt;</c>.</summary>
    public const string NoticeAdded = "agent.notice";

    /// <summary>Payload <c>&lt;agent id&gt;</c>: its settings changed (a pause set or lifted).</summary>
    public const string SettingsChanged = "agent.changed";

    public void Changed(string agentId) => Publish(SettingsChanged, agentId);

    /// <summary>Every credential of the agent (deletion, suspension).</summary>
    public void RevokeAll(string agentId) => Publish(CredentialsRevoked, agentId);

    /// <summary>One key (and the passports minted from it).</summary>
    public void RevokeKey(string agentId, string keyId) => Publish(CredentialsRevoked, agentId + ":" + keyId);

    /// <summary>Stores a notice for the agent (pushed on its sockets after commit) and hands it to listeners (webhooks) in the transaction.</summary>
    public async Task TellAsync(string agentId, string type, object payload, CancellationToken cancellationToken)
    {
        var notice = new AgentNotice
        {
            Id = ids.New("ntc"), AgentId = agentId, Type = type, Payload = System.Text.Json.JsonSerializer.Serialize(payload, Contracts.Json.ParleyJson.Options),
            CreatedAt = time.NowMs(),
        };
        writes.Db.AgentNotices.Add(notice);
        Publish(NoticeAdded, agentId + ":" + notice.Id);
        foreach (var listener in listeners)
        {
            await listener.OnNoticeAsync(agentId, type, payload, cancellationToken);
        }
    }

    private void Publish(string topic, string payload) => writes.AfterCommit(() => bus.PublishAsync(topic, payload, CancellationToken.None));
}

/// <summary>Another way of telling an agent (its webhooks): called inside the transaction that caused the notice.</summary>
internal interface IAgentNoticeListener
{
    Task OnNoticeAsync(string agentId, string type, object payload, CancellationToken cancellationToken);
}

/// <summary>A module's part in deleting an agent (leave rooms and groups, drop webhooks…); runs in the deletion's transaction.</summary>
internal interface IAgentDeletionStep
{
    Task OnAgentDeletedAsync(string agentId, CancellationToken cancellationToken);
}
