using System.Text.Json;

namespace Parley.Contracts.Wake;

/// <summary>A run's states (wake.md). Active: queued, dispatched, running, cancelling.</summary>
public static class RunStatus
{
    public const string Queued = "queued";
    public const string Dispatched = "dispatched";
    public const string Running = "running";
    public const string Cancelling = "cancelling";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string TimedOut = "timed_out";
    public const string Expired = "expired";
    public const string Skipped = "skipped";

    public static readonly IReadOnlyList<string> Active = [Queued, Dispatched, Running, Cancelling];

    public static readonly IReadOnlyList<string> All = [Queued, Dispatched, Running, Cancelling, Succeeded, Failed, Cancelled, TimedOut, Expired, Skipped];
}

/// <summary>Why an agent was woken.</summary>
public static class RunReasons
{
    public const string Mention = "mention";
    public const string TaskAssigned = "task_assigned";
    public const string DirectMessage = "direct_message";
    public const string Manual = "manual";
    public const string Webhook = "webhook";
    public const string Schedule = "schedule";

    public static readonly IReadOnlyList<string> All = [Mention, TaskAssigned, DirectMessage, Manual, Webhook, Schedule];
}

public sealed record StartRunRequest(JsonElement? Input = null);

public sealed record RunView(
    string Id, string AgentId, string WorkspaceId, string Reason, string Status, string? FailureReason, int? ExitCode, string? Summary,
    string? OutputTail, string? RoomId, string? TaskId, string? MentionId, string? MessageId, string? HookId, string? ScheduleId,
    JsonElement? Input, bool CrossOwner, bool Constrained, string? DeviceId, Identity.ActorRef RequestedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? DispatchedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

/// <summary>What a device gets when it accepts a run: the run, a passport for its agent, and where the API is.</summary>
public sealed record AcceptedRun(RunView Run, string Passport, DateTimeOffset ExpiresAt, string ApiUrl);

/// <summary>A heartbeat's answer: a new passport when the current one was within 5 minutes of expiry.</summary>
public sealed record HeartbeatAnswer(string? Passport, DateTimeOffset ExpiresAt);

public sealed record FinishRunRequest(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.AllowedValues("succeeded", "failed", "cancelled")] string? Status = null,
    int? ExitCode = null,
    [property: System.ComponentModel.DataAnnotations.StringLength(200)] string? FailureReason = null,
    string? Summary = null,
    string? OutputTail = null);

public sealed record CreateScheduleRequest(
    [property: System.ComponentModel.DataAnnotations.Required] string? Cron = null,
    [property: System.ComponentModel.DataAnnotations.Required] string? Timezone = null,
    JsonElement? Input = null,
    bool? Enabled = null);

public sealed record UpdateScheduleRequest(string? Cron = null, string? Timezone = null, JsonElement? Input = null, bool? Enabled = null);

public sealed record ScheduleView(
    string Id, string AgentId, string Cron, string Timezone, JsonElement? Input, bool Enabled, DateTimeOffset? NextRunAt, DateTimeOffset? LastRunAt,
    DateTimeOffset CreatedAt);

public sealed record ScheduleList(IReadOnlyList<ScheduleView> Data);

public sealed record CreateTriggerRequest(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.StringLength(100, MinimumLength = 1)] string? Name = null,
    JsonElement? Schema = null,
    [property: System.ComponentModel.DataAnnotations.StringLength(8192)] string? PromptTemplate = null);

public sealed record TriggerView(string Id, string AgentId, string Name, string Url, JsonElement? Schema, string? PromptTemplate, DateTimeOffset CreatedAt);

/// <summary>A trigger with its secret (<c>whsec_…</c>), shown only when made or rotated.</summary>
public sealed record TriggerCreated(string Id, string AgentId, string Name, string Url, JsonElement? Schema, string? PromptTemplate, DateTimeOffset CreatedAt,
    string Secret);

public sealed record TriggerList(IReadOnlyList<TriggerView> Data);

public sealed record HookAccepted(string RunId, string Status);
