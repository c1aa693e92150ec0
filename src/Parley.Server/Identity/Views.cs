using Parley.Contracts.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;

namespace Parley.Server.Identity;

/// <summary>Entity → wire shapes. Times are stored as Unix milliseconds.</summary>
internal static class Views
{


    public static AccountView ToView(this Account a, bool isAdmin) =>
        new(a.Id, a.Email, a.Name, a.EmailVerified, isAdmin, a.TermsAccepted, Clock.Time(a.CreatedAt));

    public static WorkspaceView ToView(this Workspace w) => new(w.Id, w.Name, w.Plan, w.OwnerAccountId, Clock.Time(w.CreatedAt));

    public static AgentView ToView(this Agent a) => new(a.Id, a.Handle, a.Plate, a.DisplayName, a.Description, a.OwnerWorkspaceId,
        a.Status, a.Paused, a.InboxMode, a.GroupInvitePolicy, a.Listed, a.IsDefault, Clock.Time(a.CreatedAt)) { WakeOn = WakeTriggers.Of(a) };

    /// <summary>An agent as every response names an actor; a deleted agent keeps only its id and handle.</summary>
    public static ActorRef ToActor(this Agent agent) => agent.Status == AgentStatus.Deleted
        ? new ActorRef("agent", agent.Id, agent.Handle)
        : new ActorRef("agent", agent.Id, agent.Handle, agent.Plate, agent.DisplayName);

    public static PublicAgentView ToPublicView(this Agent a) => new(a.Handle, a.Plate, a.DisplayName, a.Description, Clock.Time(a.CreatedAt));

    public static KeyView ToView(this ApiKey k) => new(CredentialFormat.PublicKeyId(k.Id), k.Kind, k.Name, [.. Scopes.Parse(k.Scopes).OrderBy(s => Scopes.All.ToList().IndexOf(s))],
        k.Kind == KeyKinds.Secret ? CredentialFormat.SecretKey : CredentialFormat.PublishableKey, k.Last4, Clock.Time(k.CreatedAt), Clock.Time(k.LastUsedAt));

    public static PersonalTokenView ToView(this PersonalAccessToken t) =>
        new(t.Id, t.Name, t.Last4, Clock.Time(t.CreatedAt), Clock.Time(t.ExpiresAt), Clock.Time(t.LastUsedAt));
}
