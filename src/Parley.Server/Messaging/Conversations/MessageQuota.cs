using Parley.Contracts.Governance;
using Parley.Server.Data;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;

namespace Parley.Server.Messaging.Conversations;

/// <summary>
/// Every stored direct or group message counts once on its sender's workspace's <c>messages</c> meter, inside the
/// send's transaction; past the plan's <c>MonthlyMessages</c> the send answers <c>QUOTA_EXCEEDED</c> and nothing is
/// stored. An agent no workspace owns is not metered.
/// </summary>
internal sealed class MessageQuota(Quotas quotas)
{
    /// <summary>
    /// The statement that counts the message when no plan has a quota on messages (the default), for the send to batch
    /// with its writes; null otherwise — then <see cref="AdmitAsync"/> runs after them (and does nothing for an agent no
    /// workspace owns).
    /// </summary>
    public SqlStatement? Counting(Agent sender) =>
        sender.OwnerWorkspaceId is { } workspaceId ? quotas.CountingWithoutQuota(workspaceId, Meters.Messages, 1) : null;

    public async Task AdmitAsync(Agent sender, CancellationToken c)
    {
        if (sender.OwnerWorkspaceId is { } workspaceId)
        {
            await quotas.AdmitAsync(workspaceId, Meters.Messages, 1, c);
        }
    }
}
