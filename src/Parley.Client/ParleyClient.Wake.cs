using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Client.Wake;
using Parley.Contracts.Identity;
using Parley.Contracts.Json;
using Parley.Contracts.Wake;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    // ---- Pairing a device (no credential) ----

    /// <summary>Starts pairing this machine as a device: the owner approves <see cref="PairingStarted.UserCode"/>.</summary>
    public Task<PairingStarted> StartPairingAsync(string name, string platform, IReadOnlyList<string> hosts, CancellationToken cancellationToken = default) =>
        SendAsync<PairingStarted>(HttpMethod.Post, "v1/devices/pairings", new StartPairingRequest(name, platform, hosts), cancellationToken);

    /// <summary>
    /// Asks once whether the pairing was approved: the device and its token when it was, <c>null</c> while it waits.
    /// Denied → <c>FORBIDDEN</c> (<c>pairing_denied</c>); expired → <c>CODE_EXPIRED</c>.
    /// </summary>
    public async Task<DeviceTokenIssued?> PollPairingAsync(string deviceCode, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Post, "v1/devices/pairings/token", new PairingTokenRequest(deviceCode), cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? null
            : await response.Content.ReadFromJsonAsync<DeviceTokenIssued>(ParleyJson.Options, cancellationToken);
    }

    /// <summary>Polls at the pairing's <c>interval</c> until the owner approves it (or denies it, or it expires).</summary>
    public async Task<DeviceTokenIssued> WaitForPairingAsync(PairingStarted pairing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairing);
        while (true)
        {
            if (await PollPairingAsync(pairing.DeviceCode, cancellationToken) is { } issued)
            {
                return issued;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, pairing.Interval)), Options.Time, cancellationToken);
        }
    }

    // ---- Devices (owners) ----

    /// <summary>Approves a pairing by the code the device shows (workspace admins).</summary>
    public Task<DeviceApproved> ApproveDeviceAsync(string workspaceId, string userCode, CancellationToken cancellationToken = default) =>
        SendAsync<DeviceApproved>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/devices/approve", new UserCodeRequest(userCode), cancellationToken);

    /// <summary>Denies a pairing: the device's next poll answers <c>FORBIDDEN</c>.</summary>
    public Task DenyDeviceAsync(string workspaceId, string userCode, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/devices/deny", new UserCodeRequest(userCode), cancellationToken);

    /// <summary>The workspace's devices, online or not.</summary>
    public Task<DeviceList> ListDevicesAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<DeviceList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/devices", null, cancellationToken);

    /// <summary>Revokes a device: its token stops working and its listener is disconnected, on every node.</summary>
    public Task RevokeDeviceAsync(string workspaceId, string deviceId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/devices/{Escape(deviceId)}", null, cancellationToken);

    // ---- The device itself (device token) ----

    /// <summary>The calling device and its bindings.</summary>
    public Task<DeviceView> GetDeviceAsync(CancellationToken cancellationToken = default) =>
        SendAsync<DeviceView>(HttpMethod.Get, "v1/devices/me", null, cancellationToken);

    /// <summary>Replaces the device's bindings (which of the workspace's agents it runs, with which host).</summary>
    public Task<DeviceView> SetBindingsAsync(IReadOnlyList<BindingRequest> bindings, CancellationToken cancellationToken = default) =>
        SendAsync<DeviceView>(HttpMethod.Put, "v1/devices/me/bindings", bindings, cancellationToken);

    /// <summary>Opens the device's listener channel; it reconnects on its own until disposed.</summary>
    public Task<ListenerConnection> ConnectListenerAsync(ListenerOptions options, CancellationToken cancellationToken = default) =>
        ListenerConnection.ConnectAsync(BaseAddress, Credential ?? throw new InvalidOperationException("The listener needs a device token."),
            options, cancellationToken);

    /// <summary>Takes a run the device was woken for: the run, a passport for its agent, and where the API is.</summary>
    public Task<AcceptedRun> AcceptRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<AcceptedRun>(HttpMethod.Post, $"v1/runs/{Escape(runId)}/accept", null, cancellationToken);

    /// <summary>Says the run is alive; the answer carries a new passport when the old one was close to expiry.</summary>
    public Task<HeartbeatAnswer> HeartbeatRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<HeartbeatAnswer>(HttpMethod.Post, $"v1/runs/{Escape(runId)}/heartbeat", null, cancellationToken);

    /// <summary>Reports how the run ended.</summary>
    public Task<RunView> FinishRunAsync(string runId, FinishRunRequest finish, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Post, $"v1/runs/{Escape(runId)}/finish", finish, cancellationToken);

    // ---- Runs (owners) ----

    /// <summary>Starts a run of an agent by hand; <c>AGENT_ALREADY_RUNNING</c> when it has one.</summary>
    public Task<RunView> StartRunAsync(string agent, JsonElement? input = null, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Post, $"v1/agents/{Escape(agent)}/runs", new StartRunRequest(input), cancellationToken);

    /// <summary>One run.</summary>
    public Task<RunView> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Get, $"v1/runs/{Escape(runId)}", null, cancellationToken);

    /// <summary>A page of the workspace's runs, newest first, optionally of one agent, status or reason.</summary>
    public Task<Page<RunView>> ListRunsAsync(string workspaceId, string? agent = null, string? status = null, string? reason = null,
        int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<RunView>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/runs"
            + Query(("agent", agent), ("status", status), ("reason", reason), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Cancels a run; a finished one answers <c>RUN_NOT_CANCELLABLE</c>.</summary>
    public Task<RunView> CancelRunAsync(string runId, CancellationToken cancellationToken = default) =>
        SendAsync<RunView>(HttpMethod.Post, $"v1/runs/{Escape(runId)}/cancel", null, cancellationToken);

    // ---- Triggers (owners) ----

    /// <summary>Makes a webhook that starts runs of <paramref name="agent"/>; the answer's <c>secret</c> is shown only now.</summary>
    public Task<TriggerCreated> CreateTriggerAsync(string workspaceId, string agent, CreateTriggerRequest trigger, CancellationToken cancellationToken = default) =>
        SendAsync<TriggerCreated>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/triggers", trigger, cancellationToken);

    /// <summary>The workspace's triggers, without their secrets.</summary>
    public Task<TriggerList> ListTriggersAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<TriggerList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/triggers", null, cancellationToken);

    /// <summary>One trigger.</summary>
    public Task<TriggerView> GetTriggerAsync(string workspaceId, string triggerId, CancellationToken cancellationToken = default) =>
        SendAsync<TriggerView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/triggers/{Escape(triggerId)}", null, cancellationToken);

    /// <summary>Removes a trigger: calls to its URL answer <c>NOT_FOUND</c>.</summary>
    public Task DeleteTriggerAsync(string workspaceId, string triggerId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/triggers/{Escape(triggerId)}", null, cancellationToken);

    /// <summary>Gives the trigger a new secret (shown only now); the old one stops working at once.</summary>
    public Task<TriggerCreated> RotateTriggerSecretAsync(string workspaceId, string triggerId, CancellationToken cancellationToken = default) =>
        SendAsync<TriggerCreated>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/triggers/{Escape(triggerId)}/rotate-secret", null, cancellationToken);

    /// <summary>
    /// Calls a trigger the simple way, with its secret in <c>X-Webhook-Secret</c> (no other credential); the payload must
    /// match the trigger's schema. The run it started, or <c>AGENT_ALREADY_RUNNING</c>.
    /// </summary>
    public async Task<HookAccepted> CallTriggerAsync(string triggerId, string secret, JsonElement payload, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/hooks/{Escape(triggerId)}", UriKind.Relative))
        {
            Content = JsonContent.Create(payload, options: ParleyJson.Options),
        };
        request.Headers.Add("X-Webhook-Secret", secret);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, cancellationToken);
        }
        return (await response.Content.ReadFromJsonAsync<HookAccepted>(ParleyJson.Options, cancellationToken))!;
    }

    // ---- Schedules (owners) ----

    /// <summary>Runs <paramref name="agent"/> on a cron expression in a time zone (<c>VALIDATION_ERROR</c> for a bad one).</summary>
    public Task<ScheduleView> CreateScheduleAsync(string workspaceId, string agent, CreateScheduleRequest schedule, CancellationToken cancellationToken = default) =>
        SendAsync<ScheduleView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/schedules", schedule, cancellationToken);

    /// <summary>The agent's schedules with their next and last run times.</summary>
    public Task<ScheduleList> ListSchedulesAsync(string workspaceId, string agent, CancellationToken cancellationToken = default) =>
        SendAsync<ScheduleList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/schedules", null, cancellationToken);

    /// <summary>One schedule.</summary>
    public Task<ScheduleView> GetScheduleAsync(string workspaceId, string agent, string scheduleId, CancellationToken cancellationToken = default) =>
        SendAsync<ScheduleView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/schedules/{Escape(scheduleId)}", null, cancellationToken);

    /// <summary>Changes a schedule (cron, time zone, input, or enabled); the next run time is recomputed.</summary>
    public Task<ScheduleView> UpdateScheduleAsync(string workspaceId, string agent, string scheduleId, UpdateScheduleRequest change,
        CancellationToken cancellationToken = default) =>
        SendAsync<ScheduleView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/schedules/{Escape(scheduleId)}", change, cancellationToken);

    /// <summary>Removes a schedule.</summary>
    public Task DeleteScheduleAsync(string workspaceId, string agent, string scheduleId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agent)}/schedules/{Escape(scheduleId)}", null, cancellationToken);
}
