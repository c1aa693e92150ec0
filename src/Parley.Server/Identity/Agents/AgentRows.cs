using System.Data.Common;
using Parley.Server.Data;

namespace Parley.Server.Identity.Agents;

/// <summary>Column lists and readers for the hot paths that read agents and keys with plain SQL.</summary>
internal static class AgentRows
{
    public const string Columns =
        "a.id, a.handle, a.plate, a.display_name, a.description, a.owner_workspace_id, a.registered_email, a.status, a.status_reason, " +
        "a.paused, a.inbox_mode, a.group_invite_policy, a.listed, a.is_default, a.created_at, a.updated_at";

    public const int Count = 16;

    public static Agent Read(DbDataReader r, int o = 0) => new()
    {
        Id = r.GetString(o), Handle = r.GetString(o + 1), Plate = r.GetString(o + 2), DisplayName = r.NullableString(o + 3),
        Description = r.NullableString(o + 4), OwnerWorkspaceId = r.NullableString(o + 5), RegisteredEmail = r.NullableString(o + 6),
        Status = r.GetString(o + 7), StatusReason = r.NullableString(o + 8), Paused = r.GetString(o + 9), InboxMode = r.GetString(o + 10),
        GroupInvitePolicy = r.GetString(o + 11), Listed = r.Boolean(o + 12), IsDefault = r.Boolean(o + 13), CreatedAt = r.GetInt64(o + 14),
        UpdatedAt = r.GetInt64(o + 15),
    };

    public const string KeyColumns = "k.id, k.agent_id, k.kind, k.name, k.scopes, k.secret_hash, k.last4, k.created_at, k.last_used_at, k.revoked_at";

    public static ApiKey ReadKey(DbDataReader r, int o = 0) => new()
    {
        Id = r.GetString(o), AgentId = r.GetString(o + 1), Kind = r.GetString(o + 2), Name = r.NullableString(o + 3), Scopes = r.GetString(o + 4),
        SecretHash = (byte[])r.GetValue(o + 5), Last4 = r.GetString(o + 6), CreatedAt = r.GetInt64(o + 7), LastUsedAt = r.NullableInt64(o + 8),
        RevokedAt = r.NullableInt64(o + 9),
    };

    /// <summary>A live (not deleted) agent by handle.</summary>
    public static Task<Agent?> ByHandleAsync(ParleyDb db, string handle, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(db, $"SELECT {Columns} FROM agents a WHERE a.handle = @p0 AND a.status <> 'deleted'", r => Read(r), ct, handle);

    public static Task<Agent?> ByIdAsync(ParleyDb db, string id, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(db, $"SELECT {Columns} FROM agents a WHERE a.id = @p0", r => Read(r), ct, id);
}
