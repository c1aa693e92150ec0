using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Rooms.Membership;

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
        var agents = await AgentQueries.ManyAsync(db, agentIds, ct);
        var accounts = await AccountQueries.NamesAsync(db, accountIds, ct);
        var result = new Dictionary<string, ActorRef>(StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            var (kind, id) = split[i];
            result[keys[i]] = kind == MemberKind.Agent
                ? agents.TryGetValue(id, out var agent) ? agent.ToActor() : new ActorRef(MemberKind.Agent, id)
                : new ActorRef(MemberKind.Account, id, DisplayName: accounts.GetValueOrDefault(id));
        }
        return result;
    }

    public static async Task<ActorRef> ResolveOneAsync(ParleyDb db, string principal, CancellationToken ct) =>
        (await ResolveAsync(db, [principal], ct))[principal];
}
