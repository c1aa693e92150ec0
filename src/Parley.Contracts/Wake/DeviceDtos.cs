using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Wake;

/// <summary>The agent hosts a listener can run.</summary>
public static class Hosts
{
    public const string ClaudeCode = "claude_code";
    public const string Codex = "codex";
    public const string Custom = "custom";

    public static readonly IReadOnlyList<string> All = [ClaudeCode, Codex, Custom];
}

/// <summary>A device asks to be paired (RFC 8628's device authorization request).</summary>
public sealed record StartPairingRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required, StringLength(50, MinimumLength = 1)] string? Platform = null,
    [property: MaxLength(3)] IReadOnlyList<string>? Hosts = null);

public sealed record PairingStarted(string PairingId, string DeviceCode, string UserCode, string VerificationUrl, int ExpiresIn, int Interval);

public sealed record PairingTokenRequest([property: Required] string? DeviceCode = null);

public sealed record PairingPending(string Status, int Interval);

public sealed record UserCodeRequest([property: Required, StringLength(9, MinimumLength = 8)] string? UserCode = null);

public sealed record BindingRequest(
    [property: Required] string? Agent = null,
    [property: Required, AllowedValues("claude_code", "codex", "custom")] string? Host = null,
    bool? ConstrainedCapable = null);

public sealed record BindingView(ActorRef Agent, string Host, bool ConstrainedCapable);

public sealed record DeviceView(
    string Id, string Name, string Platform, string WorkspaceId, ActorRef CreatedBy, DateTimeOffset CreatedAt, string Status, bool Online,
    DateTimeOffset? LastSeenAt, string? ListenerVersion, IReadOnlyList<string> Hosts, IReadOnlyList<BindingView> Bindings);

public sealed record DeviceList(IReadOnlyList<DeviceView> Data);

public sealed record DeviceApproved(DeviceView Device);

public sealed record DeviceTokenIssued(DeviceView Device, string DeviceToken);
