namespace Parley.Contracts.Events;

/// <summary>The events of a workspace's owner event stream (surfaces.md): ids and a small summary; the API holds the truth.</summary>
public static class OwnerEventTypes
{
    /// <summary><c>{run_id, agent_id, status}</c>: a run was made or changed state.</summary>
    public const string RunUpdated = "run.updated";

    /// <summary><c>{approval_id, …}</c>: a governed call waits for the owner.</summary>
    public const string ApprovalRequested = "approval.requested";

    /// <summary><c>{approval_id, decision}</c>.</summary>
    public const string ApprovalDecided = "approval.decided";

    /// <summary><c>{device_id}</c>: the device's first listener socket opened.</summary>
    public const string DeviceOnline = "device.online";

    /// <summary><c>{device_id}</c>: the device's last listener socket closed.</summary>
    public const string DeviceOffline = "device.offline";

    /// <summary><c>{meter, percent, count, quota}</c>: a monthly quota crossed 80 % or 100 %.</summary>
    public const string UsageThreshold = "usage.threshold";

    /// <summary><c>{room_id, task_id, agent_id}</c>: a task for one of the workspace's agents waits for the owner's consent.</summary>
    public const string TaskConsentRequested = "task.consent_requested";

    /// <summary>Every event type the stream carries.</summary>
    public static readonly IReadOnlyList<string> All =
        [RunUpdated, ApprovalRequested, ApprovalDecided, DeviceOnline, DeviceOffline, UsageThreshold, TaskConsentRequested];
}
