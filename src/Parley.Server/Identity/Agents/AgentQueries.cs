using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Identity;
using Parley.Server.Data;

namespace Parley.Server.Identity.Agents;

/// <summary>
/// Agents and keys as the rest of the server reads them: every read of <c>agents</c> or <c>api_keys</c> from outside
/// Identity goes through here. Lookups by handle, id, name or plate exist once. The plain-SQL ones serve the hot paths
/// (authentication, sending, the delivery pump); <see cref="All"/> is the entry point for queries that must join.
/// </summary>
internal static class AgentQueries
{
    /// <summary>The agents a workspace has, as its plan's <c>max_agents</c> counts them (every status but deleted).</summary>
    public static Task<int> CountInWorkspaceAsync(ParleyDb db, string workspaceId, CancellationToken ct) =>
        db.Agents.CountAsync(a => a.OwnerWorkspaceId == workspaceId && a.Status != AgentStatus.Deleted, ct);

    /// <summary>The agent columns as <c>a_&lt;column&gt;</c> (alias <c>a</c>).</summary>
    public static readonly string Columns = Sql.Select("a",
    [
        "id", "handle", "plate", "display_name", "description", "owner_workspace_id", "registered_email", "status", "status_reason",
        "paused", "inbox_mode", "group_invite_policy", "listed", "is_default", "wake_on", "created_at", "updated_at",
    ]);

    public static Agent Read(DbDataReader r) => new()
    {
        Id = r.Text("a_id"), Handle = r.Text("a_handle"), Plate = r.Text("a_plate"), DisplayName = r.TextOrNull("a_display_name"),
        Description = r.TextOrNull("a_description"), OwnerWorkspaceId = r.TextOrNull("a_owner_workspace_id"),
        RegisteredEmail = r.TextOrNull("a_registered_email"), Status = r.Text("a_status"), StatusReason = r.TextOrNull("a_status_reason"),
        Paused = r.Text("a_paused"), InboxMode = r.Text("a_inbox_mode"), GroupInvitePolicy = r.Text("a_group_invite_policy"),
        Listed = r.Flag("a_listed"), IsDefault = r.Flag("a_is_default"), WakeOn = r.TextOrNull("a_wake_on"), CreatedAt = r.Int64("a_created_at"), UpdatedAt = r.Int64("a_updated_at"),
    };

    /// <summary>The key columns as <c>k_&lt;column&gt;</c> (alias <c>k</c>).</summary>
    public static readonly string KeyColumns = Sql.Select("k",
        ["id", "agent_id", "kind", "name", "scopes", "secret_hash", "last4", "created_at", "last_used_at", "revoked_at"]);

    public static ApiKey ReadKey(DbDataReader r) => new()
    {
        Id = r.Text("k_id"), AgentId = r.Text("k_agent_id"), Kind = r.Text("k_kind"), Name = r.TextOrNull("k_name"), Scopes = r.Text("k_scopes"),
        SecretHash = r.Bytes("k_secret_hash"), Last4 = r.Text("k_last4"), CreatedAt = r.Int64("k_created_at"),
        LastUsedAt = r.Int64OrNull("k_last_used_at"), RevokedAt = r.Int64OrNull("k_revoked_at"),
    };

    /// <summary>Every agent, deleted ones included, untracked: for queries that must join agents.</summary>
    public static IQueryable<Agent> All(ParleyDb db) => db.Agents.AsNoTracking();

    /// <summary>The agents that are not deleted, untracked.</summary>
    public static IQueryable<Agent> Live(ParleyDb db) => All(db).Where(a => a.Status != AgentStatus.Deleted);

    /// <summary>Whether any agent, a deleted one included, has this handle: a deleted agent's handle stays retired.</summary>
    public static Task<bool> HandleInUseAsync(ParleyDb db, string handle, CancellationToken ct) => All(db).AnyAsync(a => a.Handle == handle, ct);

    public static Task<Agent?> ByIdAsync(ParleyDb db, string? id, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(db, $"SELECT {Columns} FROM agents a WHERE a.id = @p0", Read, ct, id);

    /// <summary>
    /// A live agent named the way people name one: by id (<c>agt_…</c>), by plate (<c>PRL-AGT-…</c>, any case) or by
    /// handle (any case; handles are lower-case).
    /// </summary>
    public static async Task<Agent?> ByNameAsync(ParleyDb db, string? name, CancellationToken ct) =>
        ByName(name) is { } query ? (await Sql.QueryAsync(db, query, ct)).SingleOrDefault() : null;

    /// <summary><see cref="ByNameAsync"/> as a statement of a batch; null for a blank name (which names nobody).</summary>
    public static SqlQuery<Agent>? ByName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        var n = name.Trim();
        return n.StartsWith("agt_", StringComparison.Ordinal)
            ? new($"SELECT {Columns} FROM agents a WHERE a.id = @p0 AND a.status <> 'deleted'", Read, n)
            : n.StartsWith("PRL-AGT-", StringComparison.OrdinalIgnoreCase)
                ? new($"SELECT {Columns} FROM agents a WHERE a.plate = @p0 AND a.status <> 'deleted'", Read, n.ToUpperInvariant())
                : new($"SELECT {Columns} FROM agents a WHERE a.handle = @p0 AND a.status <> 'deleted'", Read, n.ToLowerInvariant());
    }

    /// <summary>Agents by id (deleted ones included), each read once.</summary>
    public static async Task<Dictionary<string, Agent>> ManyAsync(ParleyDb db, IEnumerable<string> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<string, Agent>(StringComparer.Ordinal);
        }
        var rows = await Sql.QueryAsync(db, $"SELECT {Columns} FROM agents a WHERE a.id IN ({Sql.Parameters(distinct.Count)})", Read, ct, [.. distinct]);
        return rows.ToDictionary(a => a.Id, StringComparer.Ordinal);
    }

    /// <summary>An agent as responses name it (<see cref="Views.ToActor"/>), or null when there is no such agent.</summary>
    public static async Task<ActorRef?> ActorAsync(ParleyDb db, string? id, CancellationToken ct) =>
        (await ByIdAsync(db, id, ct))?.ToActor();

    /// <summary>An agent's handle, or null when there is no such agent.</summary>
    public static Task<string?> HandleAsync(ParleyDb db, string? id, CancellationToken ct) =>
        All(db).Where(a => a.Id == id).Select(a => a.Handle).FirstOrDefaultAsync(ct);

    /// <summary>The handles of these agents, sorted.</summary>
    public static Task<List<string>> HandlesAsync(ParleyDb db, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        All(db).Where(a => ids.Contains(a.Id)).Select(a => a.Handle).OrderBy(h => h).ToListAsync(ct);

    /// <summary>The workspace that owns the agent (null for an unclaimed agent or no such agent).</summary>
    public static Task<string?> OwnerWorkspaceAsync(ParleyDb db, string? id, CancellationToken ct) =>
        All(db).Where(a => a.Id == id).Select(a => a.OwnerWorkspaceId).FirstOrDefaultAsync(ct);

    /// <summary>The agent's pause mode (<see cref="PauseMode"/>), or null when there is no such agent.</summary>
    public static Task<string?> PauseAsync(ParleyDb db, string agentId, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(db, "SELECT paused FROM agents WHERE id = @p0", r => r.Text("paused"), ct, agentId);

    /// <summary>A stored notice (<see cref="AgentSignals.TellAsync"/>), or null when it is gone.</summary>
    public static Task<AgentNotice?> NoticeAsync(ParleyDb db, string noticeId, CancellationToken ct) =>
        db.AgentNotices.AsNoTracking().FirstOrDefaultAsync(n => n.Id == noticeId, ct);

    /// <summary>A key and its agent, in one indexed lookup (every agent request makes it).</summary>
    public static async Task<(ApiKey Key, Agent Agent)?> KeyWithAgentAsync(ParleyDb db, string keyId, CancellationToken ct)
    {
        var rows = await Sql.QueryAsync(db, $"SELECT {KeyColumns}, {Columns} FROM api_keys k JOIN agents a ON a.id = k.agent_id WHERE k.id = @p0",
            r => (ReadKey(r), Read(r)), ct, keyId);
        return rows.Count == 0 ? null : rows[0];
    }
}
