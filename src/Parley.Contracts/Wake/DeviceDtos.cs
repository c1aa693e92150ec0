using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Wake;

/// <summary>The agent hosts a listener can run.</summary>
public static class Hosts
{
    /// <summary>Claude Code (<c>claude -p</c>; constrained: <c>--permission-mode dontAsk</c> with a read-only tool list).</summary>
    public const string ClaudeCode = "claude_code";
    /// <summary>Codex (<c>codex exec -</c>; constrained: <c>--sandbox read-only</c>).</summary>
    public const string Codex = "codex";
    /// <summary>Any command the device's owner configures (constrained: the binding's declared constrained command).</summary>
    public const string Custom = "custom";

    /// <summary>Every host.</summary>
    public static readonly IReadOnlyList<string> All = [ClaudeCode, Codex, Custom];
}

/// <summary>A device asks to be paired (RFC 8628's device authorization request).</summary>
/// <remarks>The body of <c>POST /v1/devices/pairings</c> (no auth; rate limited per IP).</remarks>
/// <param name="Name">The device's name, shown to the owner who approves it: required, 1–100 characters.</param>
/// <param name="Platform">The device's platform, e.g. <c>linux</c>: required, 1–50 characters.</param>
/// <param name="Hosts">The agent hosts the listener can run: up to 3 of <c>claude_code</c>, <c>codex</c>, <c>custom</c> (repeats collapse); null for none.</param>
public sealed record StartPairingRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required, StringLength(50, MinimumLength = 1)] string? Platform = null,
    [property: MaxLength(3)] IReadOnlyList<string>? Hosts = null);

/// <summary>The answer of <c>POST /v1/devices/pairings</c> (201): the codes of a new pairing.</summary>
/// <param name="PairingId">The pairing's id (<c>pair_…</c>).</param>
/// <param name="DeviceCode">A secret only the device sees, to poll <c>POST /v1/devices/pairings/token</c> with.</param>
/// <param name="UserCode">The code a person approves: 8 letters from an unambiguous alphabet, shown as <c>XXXX-XXXX</c>.</param>
/// <param name="VerificationUrl">Where a person approves it: <c>&lt;public base URL&gt;/devices/approve?code=&lt;user_code&gt;</c>.</param>
/// <param name="ExpiresIn">Seconds until the pairing expires (600 by default).</param>
/// <param name="Interval">Seconds to wait between polls (5 by default); polling faster answers <c>RATE_LIMITED</c>.</param>
public sealed record PairingStarted(string PairingId, string DeviceCode, string UserCode, string VerificationUrl, int ExpiresIn, int Interval);

/// <summary>The body of <c>POST /v1/devices/pairings/token</c> (no auth): the device polls its pairing.</summary>
/// <param name="DeviceCode">The pairing's <c>device_code</c>; required. An unknown one, or one whose token was already handed out, answers <c>NOT_FOUND</c>.</param>
public sealed record PairingTokenRequest([property: Required] string? DeviceCode = null);

/// <summary>The answer of <c>POST /v1/devices/pairings/token</c> (202) while nobody has approved the pairing.</summary>
/// <param name="Status">Always <c>pending</c>.</param>
/// <param name="Interval">Seconds to wait before polling again.</param>
public sealed record PairingPending(string Status, int Interval);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/devices/approve</c> and <c>…/deny</c> (workspace admins).</summary>
/// <param name="UserCode">The code the device shows (<c>XXXX-XXXX</c>): any case, with or without the dash; required.</param>
public sealed record UserCodeRequest([property: Required, StringLength(9, MinimumLength = 8)] string? UserCode = null);

/// <summary>One binding in the body of <c>PUT /v1/devices/me/bindings</c> (a JSON array that replaces the device's whole list).</summary>
/// <param name="Agent">The agent the device runs (id, handle or plate), of the device's workspace; required, each agent at most once.</param>
/// <param name="Host">The agent host that runs it: <c>claude_code</c>, <c>codex</c> or <c>custom</c>; required.</param>
/// <param name="ConstrainedCapable">Whether the listener can run this agent in constrained mode (needed for cross-owner runs); null means <c>false</c>.</param>
public sealed record BindingRequest(
    [property: Required] string? Agent = null,
    [property: Required, AllowedValues("claude_code", "codex", "custom")] string? Host = null,
    bool? ConstrainedCapable = null);

/// <summary>One of a device's bindings (<c>bindings</c> in <see cref="DeviceView"/>).</summary>
/// <param name="Agent">The agent the device runs.</param>
/// <param name="Host"><c>claude_code</c>, <c>codex</c> or <c>custom</c>.</param>
/// <param name="ConstrainedCapable">Whether the listener can run the agent in constrained mode.</param>
public sealed record BindingView(ActorRef Agent, string Host, bool ConstrainedCapable);

/// <summary>
/// A paired device, as <c>GET /v1/workspaces/{ws}/devices</c>, <c>GET /v1/devices/me</c> and
/// <c>PUT /v1/devices/me/bindings</c> answer it (and inside <see cref="DeviceApproved"/> and <see cref="DeviceTokenIssued"/>).
/// </summary>
/// <param name="Id">The device's id (<c>dev_…</c>).</param>
/// <param name="Name">The name it asked to be paired with.</param>
/// <param name="Platform">Its platform, as it said.</param>
/// <param name="WorkspaceId">The workspace it belongs to (<c>ws_…</c>): it runs only that workspace's agents.</param>
/// <param name="CreatedBy">The person who approved the pairing.</param>
/// <param name="CreatedAt">When the pairing was approved (RFC 3339 UTC).</param>
/// <param name="Status"><c>active</c> or <c>revoked</c>.</param>
/// <param name="Online">Whether a listener of the device holds a socket now (on any node).</param>
/// <param name="LastSeenAt">When its listener was last connected, to the minute (RFC 3339 UTC); null when it never connected.</param>
/// <param name="ListenerVersion">The version its listener gave in its last <c>hello</c>; null before the first.</param>
/// <param name="Hosts">The agent hosts it can run, from the pairing request, then from its listener's last <c>hello</c>.</param>
/// <param name="Bindings">The agents it runs, by agent id; empty for none (and once revoked).</param>
public sealed record DeviceView(
    string Id, string Name, string Platform, string WorkspaceId, ActorRef CreatedBy, DateTimeOffset CreatedAt, string Status, bool Online,
    DateTimeOffset? LastSeenAt, string? ListenerVersion, IReadOnlyList<string> Hosts, IReadOnlyList<BindingView> Bindings);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/devices</c>.</summary>
/// <param name="Data">The workspace's devices, revoked ones included.</param>
public sealed record DeviceList(IReadOnlyList<DeviceView> Data);

/// <summary>The answer of <c>POST /v1/workspaces/{ws}/devices/approve</c>: <c>{device}</c>.</summary>
/// <param name="Device">The new device; its token goes to the device on its next poll.</param>
public sealed record DeviceApproved(DeviceView Device);

/// <summary>The answer of <c>POST /v1/devices/pairings/token</c> (200) once the pairing was approved: the device and its token, once.</summary>
/// <param name="Device">The device.</param>
/// <param name="DeviceToken">The device's credential (<c>prl_dev_…</c>), shown only here; it opens the device routes and the listener channel.</param>
public sealed record DeviceTokenIssued(DeviceView Device, string DeviceToken);
