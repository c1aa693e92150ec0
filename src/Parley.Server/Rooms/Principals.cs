using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging;

namespace Parley.Server.Rooms;

/// <summary>
/// Who did something, stored as one string (<c>agent:agt_…</c> or <c>account:acct_…</c>, as the file store does) and
/// shown as the one actor shape <c>{kind, id, handle?, plate?, display_name?}</c>.
/// </summary>
internal static class Principals
{
    public static string Of(Caller caller) => caller.Kind == CallerKind.Agent ? Agent(caller.Id) : Account(caller.Id);

    public static string Agent(string agentId) => MemberKind.Agent + ":" + agentId;

    public static string Account(string accountId) => MemberKind.Account + ":" + accountId;

    public static (string Kind, string Id) Split(string principal)
    {
        var colon = principal.IndexOf(':', StringComparison.Ordinal);
        return (principal[..colon], principal[(colon + 1)..]);
    }

    /// <summary>Actor views for principal keys and bare agent ids, reading each agent and account once.</summary>
    public static async Task<IReadOnlyDictionary<string, ActorRef>> ResolveAsync(ParleyDb db, IEnumerable<string?> principals, CancellationToken ct)
    {
        var keys = principals.Where(p => p is not null).Select(p => p!).Distinct().ToList();
        var split = keys.Select(k => k.Contains(':', StringComparison.Ordinal) ? Split(k) : (MemberKind.Agent, k)).ToList();
        var agentIds = split.Where(s => s.Item1 == MemberKind.Agent).Select(s => s.Item2).Distinct().ToList();
        var accountIds = split.Where(s => s.Item1 == MemberKind.Account).Select(s => s.Item2).Distinct().ToList();
        var agents = agentIds.Count == 0 ? new Dictionary<string, Agent>() : await db.Agents.AsNoTracking().Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var accounts = accountIds.Count == 0 ? new Dictionary<string, string>()
            : await db.Accounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).Select(a => new { a.Id, a.Name }).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var result = new Dictionary<string, ActorRef>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            var (kind, id) = split[i];
            result[keys[i]] = kind == MemberKind.Agent
                ? agents.TryGetValue(id, out var agent) ? MessageViews.Actor(agent) : new ActorRef(MemberKind.Agent, id)
                : new ActorRef(MemberKind.Account, id, DisplayName: accounts.GetValueOrDefault(id));
        }
        return result;
    }

    public static async Task<ActorRef> ResolveOneAsync(ParleyDb db, string principal, CancellationToken ct) =>
        (await ResolveAsync(db, [principal], ct))[principal];
}

/// <summary>Finds an agent named by id (<c>agt_…</c>), plate (<c>PRL-AGT-…</c>) or handle; deleted agents are not found.</summary>
internal static class AgentNames
{
    public static Task<Agent?> FindAsync(ParleyDb db, string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Task.FromResult<Agent?>(null);
        }
        var n = name.Trim();
        var query = db.Agents.AsNoTracking().Where(a => a.Status != AgentStatus.Deleted);
        return n.StartsWith("agt_", StringComparison.Ordinal) ? query.FirstOrDefaultAsync(a => a.Id == n, ct)
            : n.StartsWith("PRL-AGT-", StringComparison.OrdinalIgnoreCase) ? query.FirstOrDefaultAsync(a => a.Plate == n.ToUpperInvariant(), ct)
            : query.FirstOrDefaultAsync(a => a.Handle == n.ToLowerInvariant(), ct);
    }
}
