using System.Text.Json;

namespace Parley.Contracts.Wake;

/// <summary>A run's states (wake.md). Active: queued, dispatched, running, cancelling.</summary>
public static class RunStatus
{
    /// <summary>Waiting for an online device that binds the agent.</summary>
    public const string Queued = "queued";
    /// <summary>A wake was sent to a device; not yet accepted.</summary>
    public const string Dispatched = "dispatched";
    /// <summary>The device accepted the run and its process runs.</summary>
    public const string Running = "running";
    /// <summary>An owner cancelled it; the device was told to stop the process (still active).</summary>
    public const string Cancelling = "cancelling";
    /// <summary>Ended well (the device reported it).</summary>
    public const string Succeeded = "succeeded";
    /// <summary>Ended badly (the device reported it); <c>failure_reason</c> says why.</summary>
    public const string Failed = "failed";
    /// <summary>Ended by an owner's cancellation.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>Heartbeats stopped for <c>Wake:HeartbeatTimeoutSeconds</c>, or it ran past <c>Wake:MaxRunSeconds</c>.</summary>
    public const string TimedOut = "timed_out";
    /// <summary>No device accepted it within <c>Wake:QueueSeconds</c> (<c>failure_reason: no_device</c>).</summary>
    public const string Expired = "expired";
    /// <summary>Never started (paused agent, no constrained runtime, already running, quota or credits spent); <c>failure_reason</c> says why.</summary>
    public const string Skipped = "skipped";

    /// <summary>The active states: at most one run of an agent is in one of them.</summary>
    public static readonly IReadOnlyList<string> Active = [Queued, Dispatched, Running, Cancelling];

    /// <summary>Every state.</summary>
    public static readonly IReadOnlyList<string> All = [Queued, Dispatched, Running, Cancelling, Succeeded, Failed, Cancelled, TimedOut, Expired, Skipped];
}

/// <summary>Why an agent was woken.</summary>
public static class RunReasons
{
    /// <summary>The agent was mentioned in a room.</summary>
    public const string Mention = "mention";
    /// <summary>The agent was assigned a task (the assignment's mention).</summary>
    public const string TaskAssigned = "task_assigned";
    /// <summary>The agent received a direct message (when its <c>wake_on</c> includes it).</summary>
    public const string DirectMessage = "direct_message";
    /// <summary>Started by hand: <c>POST /v1/agents/{agent}/runs</c>.</summary>
    public const string Manual = "manual";
    /// <summary>A webhook trigger was called.</summary>
    public const string Webhook = "webhook";
    /// <summary>A schedule's occurrence came.</summary>
    public const string Schedule = "schedule";

    /// <summary>Every reason.</summary>
    public static readonly IReadOnlyList<string> All = [Mention, TaskAssigned, DirectMessage, Manual, Webhook, Schedule];
}

/// <summary>The body of <c>POST /v1/agents/{agent}/runs</c> (may be absent): start a run of the agent now (reason <c>manual</c>).</summary>
/// <param name="Input">Any JSON for the run (at most 64 KiB), shown to the agent in its prompt; null for none.</param>
public sealed record StartRunRequest(JsonElement? Input = null);

/// <summary>
/// A run: the record of one wake, as <c>POST /v1/agents/{agent}/runs</c> (201), <c>GET /v1/runs/{id}</c>,
/// <c>GET /v1/workspaces/{ws}/runs</c>, <c>POST /v1/runs/{id}/cancel</c> and <c>…/finish</c> answer it.
/// </summary>
/// <param name="Id">The run's id (<c>run_…</c>).</param>
/// <param name="AgentId">The agent woken (<c>agt_…</c>).</param>
/// <param name="WorkspaceId">The agent's owner workspace (<c>ws_…</c>), whose <c>runs</c> meter counts the run.</param>
/// <param name="Reason">Why it was woken: <c>mention</c>, <c>task_assigned</c>, <c>direct_message</c>, <c>manual</c>, <c>webhook</c> or <c>schedule</c> (<see cref="RunReasons"/>).</param>
/// <param name="Status">Its state (<see cref="RunStatus"/>): <c>queued</c>, <c>dispatched</c>, <c>running</c>, <c>cancelling</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>, <c>timed_out</c>, <c>expired</c> or <c>skipped</c>.</param>
/// <param name="FailureReason">
/// Why it did not succeed (at most 200 characters), e.g. <c>exit_nonzero</c>, <c>host_not_found</c>, <c>timeout</c>,
/// <c>no_device</c>, <c>cancelled_by_owner</c>, <c>agent_paused</c>, <c>constrained_runtime_required</c>,
/// <c>already_running</c>; null while active and when it succeeded.
/// </param>
/// <param name="ExitCode">The process's exit code, as the device reported it; null until then, or when it gave none.</param>
/// <param name="Summary">What the run did, as the device reported it (at most 4 KiB); null when none.</param>
/// <param name="OutputTail">The end of the process's output, as the device reported it (at most 16 KiB); null when none.</param>
/// <param name="RoomId">The room of the mention or task that woke the agent (<c>room_…</c>); else null.</param>
/// <param name="TaskId">The task assigned (<c>task_…</c>), for <c>task_assigned</c>; else null.</param>
/// <param name="MentionId">The mention that woke the agent (<c>men_…</c>); else null.</param>
/// <param name="MessageId">The direct message that woke the agent (<c>msg_…</c>); else null.</param>
/// <param name="HookId">The webhook trigger called (<c>hook_…</c>), for <c>webhook</c>; else null.</param>
/// <param name="ScheduleId">The schedule whose occurrence came (<c>sch_…</c>), for <c>schedule</c>; else null.</param>
/// <param name="Input">The run's JSON input: a manual run's <c>input</c>, a webhook's payload, a schedule's <c>input</c>; null for none.</param>
/// <param name="CrossOwner">Whether someone other than the agent's owner (another owner's person or agent) caused the run.</param>
/// <param name="Constrained">Whether the run must execute constrained (every cross-owner run does); its passport then has only <c>read</c>, <c>write</c>, <c>upload</c>, <c>download</c>.</param>
/// <param name="DeviceId">The device it was dispatched to (<c>dev_…</c>); null while queued, or when it never was.</param>
/// <param name="RequestedBy">
/// Who caused it: the person or agent that mentioned, assigned, messaged or started it; for a webhook or a schedule,
/// the person who made the trigger or schedule.
/// </param>
/// <param name="CreatedAt">When the run was made (RFC 3339 UTC).</param>
/// <param name="DispatchedAt">When a wake was sent to a device (RFC 3339 UTC); null before.</param>
/// <param name="StartedAt">When the device accepted it (RFC 3339 UTC); null before.</param>
/// <param name="EndedAt">When it ended (RFC 3339 UTC); null while active.</param>
public sealed record RunView(
    string Id, string AgentId, string WorkspaceId, string Reason, string Status, string? FailureReason, int? ExitCode, string? Summary,
    string? OutputTail, string? RoomId, string? TaskId, string? MentionId, string? MessageId, string? HookId, string? ScheduleId,
    JsonElement? Input, bool CrossOwner, bool Constrained, string? DeviceId, Identity.ActorRef RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? DispatchedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

/// <summary>What a device gets when it accepts a run: the run, a passport for its agent, and where the API is.</summary>
/// <remarks>The answer of <c>POST /v1/runs/{id}/accept</c> (the device the run was dispatched to).</remarks>
/// <param name="Run">The run, now <c>running</c>.</param>
/// <param name="Passport">
/// A passport (a JWT) that acts as the run's agent — with only <c>read</c>, <c>write</c>, <c>upload</c> and
/// <c>download</c> when the run is constrained — for the agent's process (<c>PARLEY_TOKEN</c>); it stops working when the run ends.
/// </param>
/// <param name="ExpiresAt">When the passport expires (RFC 3339 UTC; 15 minutes by default); heartbeats renew it.</param>
/// <param name="ApiUrl">The API's public base URL, for the agent's process (<c>PARLEY_URL</c>).</param>
public sealed record AcceptedRun(RunView Run, string Passport, DateTimeOffset ExpiresAt, string ApiUrl);

/// <summary>A heartbeat's answer: a new passport when the current one was within 5 minutes of expiry.</summary>
/// <remarks>The answer of <c>POST /v1/runs/{id}/heartbeat</c>; send one every 30 s while the run is <c>running</c> or <c>cancelling</c>.</remarks>
/// <param name="Passport">A new passport for the run's agent, replacing the current one; null when the current one still has more than 5 minutes.</param>
/// <param name="ExpiresAt">When the passport in force (the new one, or else the current one) expires (RFC 3339 UTC).</param>
public sealed record HeartbeatAnswer(string? Passport, DateTimeOffset ExpiresAt);

/// <summary>The body of <c>POST /v1/runs/{id}/finish</c> (the run's device): how the run ended.</summary>
/// <param name="Status">Required: <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="ExitCode">The process's exit code; null when there was no process.</param>
/// <param name="FailureReason">
/// Why it did not succeed: at most 200 characters, preferably a standard value (<c>host_not_found</c>,
/// <c>host_auth_required</c>, <c>constrained_runtime_required</c>, <c>exit_nonzero</c>, <c>crashed</c>, <c>timeout</c>);
/// null means <c>exit_nonzero</c> for a failure with a non-zero exit code and <c>cancelled_by_owner</c> for a cancellation. Ignored on success.
/// </param>
/// <param name="Summary">What the run did: at most 4,096 bytes of UTF-8.</param>
/// <param name="OutputTail">The end of the process's output: at most 16,384 bytes of UTF-8.</param>
public sealed record FinishRunRequest(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.AllowedValues("succeeded", "failed", "cancelled")] string? Status = null,
    int? ExitCode = null,
    [property: System.ComponentModel.DataAnnotations.StringLength(200)] string? FailureReason = null,
    string? Summary = null,
    string? OutputTail = null);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/agents/{agent}/schedules</c> (workspace admins): start runs of the agent on a schedule.</summary>
/// <param name="Cron">Required: a five-field cron expression (minute hour day-of-month month day-of-week), e.g. <c>0 9 * * 1-5</c>.</param>
/// <param name="Timezone">Required: the IANA time zone the expression is read in, e.g. <c>Europe/Paris</c> or <c>UTC</c>.</param>
/// <param name="Input">JSON given to each run as its input (at most 64 KiB); null for none.</param>
/// <param name="Enabled">Whether the schedule fires; null means <c>true</c>.</param>
public sealed record CreateScheduleRequest(
    [property: System.ComponentModel.DataAnnotations.Required] string? Cron = null,
    [property: System.ComponentModel.DataAnnotations.Required] string? Timezone = null,
    JsonElement? Input = null,
    bool? Enabled = null);

/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/agents/{agent}/schedules/{id}</c> (workspace admins): absent (null) members
/// stay as they are; the next occurrence is computed again.
/// </summary>
/// <param name="Cron">A new five-field cron expression.</param>
/// <param name="Timezone">A new IANA time zone.</param>
/// <param name="Input">New JSON input for the runs (at most 64 KiB).</param>
/// <param name="Enabled">Whether the schedule fires.</param>
public sealed record UpdateScheduleRequest(string? Cron = null, string? Timezone = null, JsonElement? Input = null, bool? Enabled = null);

/// <summary>A schedule of an agent, as the schedule routes (<c>/v1/workspaces/{ws}/agents/{agent}/schedules[/{id}]</c>) answer it.</summary>
/// <param name="Id">The schedule's id (<c>sch_…</c>).</param>
/// <param name="AgentId">The agent it starts (<c>agt_…</c>).</param>
/// <param name="Cron">The five-field cron expression.</param>
/// <param name="Timezone">The IANA time zone it is read in.</param>
/// <param name="Input">The JSON input each run gets; null for none.</param>
/// <param name="Enabled">Whether it fires.</param>
/// <param name="NextRunAt">Its next occurrence (RFC 3339 UTC); null when disabled.</param>
/// <param name="LastRunAt">When it last fired (RFC 3339 UTC); null when it never has.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
public sealed record ScheduleView(
    string Id, string AgentId, string Cron, string Timezone, JsonElement? Input, bool Enabled, DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt,
    DateTimeOffset CreatedAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/agents/{agent}/schedules</c>.</summary>
/// <param name="Data">The agent's schedules, by id.</param>
public sealed record ScheduleList(IReadOnlyList<ScheduleView> Data);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/agents/{agent}/triggers</c> (workspace admins): a webhook that starts runs of the agent.</summary>
/// <param name="Name">A name for people: required, 1–100 characters.</param>
/// <param name="Schema">A JSON Schema (draft 2020-12) every payload must meet; null accepts any JSON.</param>
/// <param name="PromptTemplate">
/// The run's prompt, in which <c>{{payload}}</c> stands for the payload's JSON (at most 8,192 characters); null for a
/// default prompt that names the trigger and includes the payload.
/// </param>
public sealed record CreateTriggerRequest(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(100, MinimumLength = 1)] string? Name = null,
    JsonElement? Schema = null,
    [property: System.ComponentModel.DataAnnotations.StringLength(8192)] string? PromptTemplate = null);

/// <summary>A webhook trigger without its secret, as <c>GET /v1/workspaces/{ws}/triggers[/{id}]</c> answers it.</summary>
/// <param name="Id">The trigger's id (<c>hook_…</c>).</param>
/// <param name="AgentId">The agent its calls start (<c>agt_…</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Url">The URL to call: <c>&lt;public base URL&gt;/v1/hooks/{id}</c>.</param>
/// <param name="Schema">The JSON Schema payloads must meet; null for none.</param>
/// <param name="PromptTemplate">The prompt template (<c>{{payload}}</c> for the payload); null for the default prompt.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
public sealed record TriggerView(string Id, string AgentId, string Name, string Url, JsonElement? Schema, string? PromptTemplate, DateTimeOffset CreatedAt);

/// <summary>A trigger with its secret (<c>whsec_…</c>), shown only when made or rotated.</summary>
/// <remarks>
/// The answer of <c>POST /v1/workspaces/{ws}/agents/{agent}/triggers</c> (201) and
/// <c>POST /v1/workspaces/{ws}/triggers/{id}/rotate-secret</c>.
/// </remarks>
/// <param name="Id">The trigger's id (<c>hook_…</c>).</param>
/// <param name="AgentId">The agent its calls start (<c>agt_…</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Url">The URL to call: <c>&lt;public base URL&gt;/v1/hooks/{id}</c>.</param>
/// <param name="Schema">The JSON Schema payloads must meet; null for none.</param>
/// <param name="PromptTemplate">The prompt template (<c>{{payload}}</c> for the payload); null for the default prompt.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="Secret">
/// The secret (<c>whsec_…</c>), shown only here: callers send it as <c>X-Webhook-Secret</c>, or sign with it (Standard
/// Webhooks). Rotating makes a new one and the old one stops at once.
/// </param>
public sealed record TriggerCreated(string Id, string AgentId, string Name, string Url, JsonElement? Schema, string? PromptTemplate, DateTimeOffset CreatedAt,
    string Secret);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/triggers</c>.</summary>
/// <param name="Data">The workspace's triggers, by id, without their secrets.</param>
public sealed record TriggerList(IReadOnlyList<TriggerView> Data);

/// <summary>The answer of <c>POST /v1/hooks/{id}</c> (202): the run the call started (a repeated <c>webhook-id</c> gets the first call's answer).</summary>
/// <param name="RunId">The run started (<c>run_…</c>).</param>
/// <param name="Status">The run's state when the call was answered: <c>queued</c> or <c>dispatched</c>.</param>
public sealed record HookAccepted(string RunId, string Status);
