using Parley.Contracts.Events;
using Parley.Server.Data;
using Parley.Server.Platform.OwnerEvents;

namespace Parley.Server.Wake.Runs;

/// <summary>
/// Every new run and every change of a run's state goes through here, inside the write that makes it, so the owners
/// of its workspace see it on their event stream (<c>run.updated {run_id, agent_id, status}</c>).
/// </summary>
internal sealed class RunStates(OwnerEventLog events)
{
    public void Add(ParleyDb db, Run run)
    {
        db.Runs.Add(run);
        Announce(run);
    }

    public void Set(Run run, string status)
    {
        run.Status = status;
        Announce(run);
    }

    private void Announce(Run run) => events.Record(run.WorkspaceId, OwnerEventTypes.RunUpdated, new RunUpdated(run.Id, run.AgentId, run.Status));

    private sealed record RunUpdated(string RunId, string AgentId, string Status);
}
