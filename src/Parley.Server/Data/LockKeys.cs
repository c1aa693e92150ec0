namespace Parley.Server.Data;

/// <summary>
/// Every key an exact writer locks with <see cref="Writes.LockAsync"/>, in one place. On PostgreSQL a key is a
/// transaction-scoped advisory lock; on SQLite the write transaction already serialises writers and the keys only
/// document intent.
/// <para>
/// Lock order. One <c>LockAsync</c> call takes its keys in ordinal order. Across calls inside one transaction, a
/// writer takes them in this order and never the other way round, so two writers cannot wait for each other:
/// <list type="number">
/// <item><c>workspace-agents:</c> (agent creation, claims, deletion — deletion then runs the modules' steps below)</item>
/// <item><c>email:</c>, <c>session:</c>, <c>signing-keys</c>, <c>workspace-devices:</c> (identity's own, taken alone),
/// <c>workspace-vault:</c> (the gateway's vault cap, taken alone)</item>
/// <item><c>pair:</c> (a direct send), then <c>outreach:</c> (the sender's cold conversations)</item>
/// <item><c>group:</c> with <c>group-adds:</c> (one call)</item>
/// <item><c>enforcement:</c> (blocks and reports against an agent)</item>
/// <item><c>workspace-rooms:</c>, then <c>room:</c> (every write that decides a room's leases or members), then <c>room-file:</c></item>
/// <item><c>webhooks:</c></item>
/// <item><c>storage:</c> (the file store's quota; any module may create a file)</item>
/// <item><c>quota:</c> of a send's own <c>messages</c> meter (a meter with a quota takes the key; one without takes only
/// the row lock of one of its day's shards)</item>
/// <item><c>agent-runs:</c> (an agent's one active run: a manual start, or a wake the send's mentions or message cause)</item>
/// <item><c>quota:</c> of <c>runs</c> and the other meters, in the order of <c>Meters.Monthly</c></item>
/// <item><c>credits:</c> (the credit ledger; last, since any priced action spends after its other checks)</item>
/// </list>
/// </para>
/// </summary>
internal static class LockKeys
{
    public static string WorkspaceAgents(string workspaceId) => "workspace-agents:" + workspaceId;

    public static string WorkspaceDevices(string workspaceId) => "workspace-devices:" + workspaceId;

    public static string WorkspaceVault(string workspaceId) => "workspace-vault:" + workspaceId;

    public static string AgentRuns(string agentId) => "agent-runs:" + agentId;

    public static string Email(string email) => "email:" + email;

    public static string Session(string sessionId) => "session:" + sessionId;

    public const string SigningKeys = "signing-keys";

    /// <summary>A direct conversation's two agents, in ordinal order whichever sends.</summary>
    public static string Pair(string agentA, string agentB) =>
        string.CompareOrdinal(agentA, agentB) < 0 ? $"pair:{agentA}:{agentB}" : $"pair:{agentB}:{agentA}";

    public static string Outreach(string agentId) => "outreach:" + agentId;

    public static string Group(string groupId) => "group:" + groupId;

    public static string GroupAdds(string agentId) => "group-adds:" + agentId;

    public static string Enforcement(string agentId) => "enforcement:" + agentId;

    public static string WorkspaceRooms(string workspaceId) => "workspace-rooms:" + workspaceId;

    public static string Room(string roomId) => "room:" + roomId;

    public static string RoomFile(string roomId, string path) => $"room-file:{roomId}:{path}";

    public static string Webhooks(string agentId) => "webhooks:" + agentId;

    public static string Storage(string quotaOwner) => "storage:" + quotaOwner;

    public static string Quota(string workspaceId, string meter) => $"quota:{workspaceId}:{meter}";

    public static string Credits(string workspaceId) => "credits:" + workspaceId;
}
