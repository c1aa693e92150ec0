using Parley.Contracts.Governance;
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
    public async Task AdmitAsync(Agent sender, CancellationToken c)
    {
        if (sender.OwnerWorkspaceId is { } workspaceId)
        {
            await quotas.AdmitAsync(workspaceId, Meters.Messages, 1, c);
        }
    }
}
