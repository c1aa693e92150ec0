using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Governance;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Devices;

/// <summary>
/// Devices: pairing in the shape of the OAuth device authorization grant (RFC 8628), approval in a workspace, the
/// device token, bindings, revocation. A revoked device's token answers <c>REVOKED</c> at once on every node (every
/// request reads the device row) and its listener socket is closed through <see cref="DeviceSignals"/>.
/// </summary>
internal sealed class DeviceService(Writes writes, Ids ids, TimeProvider time, PlanCatalog plans, DeviceSignals signals, IOptions<IdentityOptions> options)
{
    /// <summary>RFC 8628's suggestion: consonants only, so codes spell no words and survive being read aloud.</summary>
    private const string UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";
    private const int MaxBindings = 200;

    private ParleyDb Db => writes.Db;
    private DeviceLimits Limits => options.Value.Limits.Devices;

    /// <summary>Starts a pairing; <paramref name="publicBaseUrl"/> is where the approval page lives.</summary>
    public async Task<PairingStarted> StartPairingAsync(StartPairingRequest request, string publicBaseUrl, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("name", request.Name);
        v.Name("name", request.Name, 1, 100);
        var platform = v.Required("platform", request.Platform);
        v.Name("platform", request.Platform, 1, 50);
        var hosts = ValidateHosts(v, request.Hosts);
        v.ThrowIfInvalid();
        var now = time.NowMs();
        var deviceCode = CredentialFormat.NewSecret();
        for (var attempt = 0; ; attempt++)
        {
            var pairing = new DevicePairing
            {
                Id = ids.New("pair"), DeviceCodeHash = Secrets.Sha256(deviceCode), UserCode = RandomNumberGenerator.GetString(UserCodeAlphabet, 8),
                Name = name!, Platform = platform!, Hosts = JsonSerializer.Serialize(hosts), Status = DevicePairing.Pending,
                CreatedAt = now, ExpiresAt = now + (Limits.PairingTtlSeconds * Clock.SecondMs),
            };
            try
            {
                await writes.RunAsync(c =>
                {
                    Db.DevicePairings.Add(pairing);
                    return Task.CompletedTask;
                }, ct);
            }
            catch (Exception e) when (writes.IsUniqueViolation(e) && attempt < 3)
            {
                continue; // a user code in use: draw another
            }
            var userCode = pairing.UserCode[..4] + "-" + pairing.UserCode[4..];
            return new PairingStarted(pairing.Id, deviceCode, userCode, $"{publicBaseUrl}/devices/approve?code={userCode}",
                Limits.PairingTtlSeconds, Limits.PollIntervalSeconds);
        }
    }

    /// <summary>
    /// The device's poll: pending → <c>null</c> (the caller answers 202); approved → the device and its token, once;
    /// denied → <c>FORBIDDEN {reason: pairing_denied}</c>; expired → <c>CODE_EXPIRED</c>; polling faster than the
    /// interval → <c>RATE_LIMITED</c>; an unknown or already used code → <c>NOT_FOUND</c>.
    /// </summary>
    public Task<DeviceTokenIssued?> PollAsync(PairingTokenRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var code = v.Required("device_code", request.DeviceCode);
        v.ThrowIfInvalid();
        var hash = Secrets.Sha256(code!);
        return writes.RunAsync(async c =>
        {
            var pairing = await Db.DevicePairings.FirstOrDefaultAsync(p => p.DeviceCodeHash == hash, c);
            if (pairing is null || pairing.Status == DevicePairing.Claimed)
            {
                throw new ApiException(ErrorCodes.NotFound, "No pairing has this device code (or its token was already handed out).");
            }
            var now = time.NowMs();
            var interval = Limits.PollIntervalSeconds * Clock.SecondMs;
            if (pairing.LastPolledAt > 0 && now - pairing.LastPolledAt < interval)
            {
                throw ApiErrors.RateLimited(1, Limits.PollIntervalSeconds, TimeSpan.FromMilliseconds(pairing.LastPolledAt + interval - now));
            }
            pairing.LastPolledAt = now;
            switch (pairing.Status)
            {
                case DevicePairing.Denied:
                    throw ApiErrors.Forbidden("pairing_denied", "The pairing was denied.");
                case DevicePairing.Pending when pairing.ExpiresAt <= now:
                    throw new ApiException(ErrorCodes.CodeExpired, "The pairing expired; start again.");
                case DevicePairing.Pending:
                    return null;
            }
            var device = await Db.Devices.FirstAsync(d => d.Id == pairing.DeviceId, c);
            var (tokenId, secret, token) = CredentialFormat.New(CredentialFormat.DeviceToken);
            device.TokenId = tokenId;
            device.TokenHash = Secrets.Sha256(secret);
            pairing.Status = DevicePairing.Claimed;
            await Db.SaveChangesAsync(c);
            return new DeviceTokenIssued((await ViewsAsync([device], c))[0], token);
        }, ct);
    }

    /// <summary>An owner (admin or more) approves a pairing by its user code; the plan's <c>MaxDevices</c> applies.</summary>
    public Task<DeviceApproved> ApproveAsync(Caller caller, Workspace workspace, UserCodeRequest request, CancellationToken ct)
    {
        var code = NormaliseUserCode(request.UserCode);
        return writes.RunAsync(async c =>
        {
            var pairing = await PendingAsync(code, c);
            await writes.LockAsync(c, LockKeys.WorkspaceDevices(workspace.Id));
            PlanCatalog.EnsureBelowLimit("devices", plans.Get(workspace.Plan).MaxDevices, await DeviceQueries.CountActiveAsync(Db, workspace.Id, c));
            var now = time.NowMs();
            var device = new Device
            {
                Id = ids.New("dev"), WorkspaceId = workspace.Id, Name = pairing.Name, Platform = pairing.Platform, CreatedBy = caller.Account!.Id,
                Status = Device.Active, Hosts = pairing.Hosts, CreatedAt = now,
            };
            Db.Devices.Add(device);
            pairing.Status = DevicePairing.Approved;
            pairing.DeviceId = device.Id;
            await Db.SaveChangesAsync(c);
            return new DeviceApproved((await ViewsAsync([device], c))[0]);
        }, ct);
    }

    public Task DenyAsync(UserCodeRequest request, CancellationToken ct)
    {
        var code = NormaliseUserCode(request.UserCode);
        return writes.RunAsync(async c => (await PendingAsync(code, c)).Status = DevicePairing.Denied, ct);
    }

    public async Task<DeviceList> ListAsync(Workspace workspace, CancellationToken ct)
    {
        var devices = await Db.Devices.AsNoTracking().Where(d => d.WorkspaceId == workspace.Id).OrderBy(d => d.Id).ToListAsync(ct);
        return new DeviceList(await ViewsAsync(devices, ct));
    }

    /// <summary>Revokes a device for good: its token stops working at once and its socket closes on every node.</summary>
    public Task RevokeAsync(Workspace workspace, string deviceId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var device = await Db.Devices.FirstOrDefaultAsync(d => d.Id == deviceId && d.WorkspaceId == workspace.Id, c)
                ?? throw ApiErrors.NotFound();
            if (device.Status == Device.Revoked)
            {
                return;
            }
            device.Status = Device.Revoked;
            device.RevokedAt = time.NowMs();
            await Db.DeviceBindings.Where(b => b.DeviceId == device.Id).ExecuteDeleteAsync(c);
            signals.Revoked(device.Id);
        }, ct);

    public async Task<DeviceView> MeAsync(Caller caller, CancellationToken ct) => (await ViewsAsync([caller.Device!], ct))[0];

    /// <summary>Replaces the device's bindings; each agent must belong to the device's workspace.</summary>
    public async Task<DeviceView> SetBindingsAsync(Caller caller, IReadOnlyList<BindingRequest>? request, CancellationToken ct)
    {
        var device = caller.Device!;
        var v = new Validator();
        if (request is null)
        {
            v.Add("$", "must be a list of bindings");
        }
        else if (request.Count > MaxBindings)
        {
            v.Add("$", $"at most {MaxBindings} bindings");
        }
        for (var i = 0; request is not null && i < request.Count; i++)
        {
            v.Required($"[{i}].agent", request[i].Agent);
            if (v.Required($"[{i}].host", request[i].Host) is not null)
            {
                v.OneOf($"[{i}].host", request[i].Host, [.. Hosts.All]);
            }
        }
        v.ThrowIfInvalid();
        var agents = new List<(Agent Agent, BindingRequest Binding)>();
        foreach (var binding in request!)
        {
            var agent = await AgentQueries.ByNameAsync(Db, binding.Agent, ct);
            if (agent is null || agent.OwnerWorkspaceId != device.WorkspaceId || agent.Status == AgentStatus.Deleted)
            {
                throw new ApiException(ErrorCodes.AgentNotFound, $"No agent '{binding.Agent}' in the device's workspace.");
            }
            agents.Add((agent, binding));
        }
        if (agents.Select(a => a.Agent.Id).Distinct().Count() != agents.Count)
        {
            throw ApiErrors.Validation("$", "each agent at most once");
        }
        await writes.RunAsync(async c =>
        {
            await Db.DeviceBindings.Where(b => b.DeviceId == device.Id).ExecuteDeleteAsync(c);
            Db.DeviceBindings.AddRange(agents.Select(a => new DeviceBinding
            {
                DeviceId = device.Id, AgentId = a.Agent.Id, Host = a.Binding.Host!, ConstrainedCapable = a.Binding.ConstrainedCapable ?? false,
            }));
        }, ct);
        return await MeAsync(caller, ct);
    }

    private async Task<DevicePairing> PendingAsync(string code, CancellationToken c) =>
        await Db.DevicePairings.FirstOrDefaultAsync(p => p.UserCode == code && p.Status == DevicePairing.Pending && p.ExpiresAt > time.NowMs(), c)
            ?? throw new ApiException(ErrorCodes.NotFound, "No pending pairing has this code.");

    /// <summary>Codes are typed by people: any case, with or without the dash.</summary>
    private static string NormaliseUserCode(string? code)
    {
        var normalised = (code ?? "").Replace("-", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return normalised.Length == 8 && normalised.All(UserCodeAlphabet.Contains)
            ? normalised
            : throw ApiErrors.Validation("user_code", "must be the 8-character code the device shows (XXXX-XXXX)");
    }

    private static List<string> ValidateHosts(Validator v, IReadOnlyList<string>? hosts)
    {
        for (var i = 0; hosts is not null && i < hosts.Count; i++)
        {
            v.OneOf($"hosts[{i}]", hosts[i], [.. Hosts.All]);
        }
        return hosts?.Distinct(StringComparer.Ordinal).ToList() ?? [];
    }

    private async Task<List<DeviceView>> ViewsAsync(IReadOnlyList<Device> devices, CancellationToken ct)
    {
        var deviceIds = devices.Select(d => d.Id).ToList();
        var bindings = await Db.DeviceBindings.AsNoTracking().Where(b => deviceIds.Contains(b.DeviceId)).ToListAsync(ct);
        var agentIds = bindings.Select(b => b.AgentId).Distinct().ToList();
        var agents = await AgentQueries.All(Db).Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var creatorIds = devices.Select(d => d.CreatedBy).Distinct().ToList();
        var creators = await AccountQueries.NamesAsync(Db, creatorIds, ct);
        var online = await signals.OnlineAsync(Db, deviceIds, ct);
        return [.. devices.Select(d => new DeviceView(d.Id, d.Name, d.Platform, d.WorkspaceId, new ActorRef("account", d.CreatedBy, DisplayName: creators.GetValueOrDefault(d.CreatedBy)), Clock.Time(d.CreatedAt), d.Status,
            online.Contains(d.Id), Clock.Time(d.LastSeenAt), d.ListenerVersion, JsonSerializer.Deserialize<List<string>>(d.Hosts) ?? [],
            [.. bindings.Where(b => b.DeviceId == d.Id).OrderBy(b => b.AgentId)
                .Select(b => new BindingView(agents[b.AgentId].ToActor(), b.Host, b.ConstrainedCapable))]))];
    }
}

/// <summary>What others ask of devices.</summary>
internal static class DeviceQueries
{
    public static Task<int> CountActiveAsync(ParleyDb db, string workspaceId, CancellationToken ct) =>
        db.Devices.CountAsync(d => d.WorkspaceId == workspaceId && d.Status == Device.Active, ct);
}

/// <summary>The devices a workspace has, as its plan's <c>max_devices</c> counts them.</summary>
internal sealed class DeviceCount(Writes writes) : IWorkspaceCount
{
    public string Name => "devices";

    public async Task<long> CountAsync(string workspaceId, CancellationToken ct) => await DeviceQueries.CountActiveAsync(writes.Db, workspaceId, ct);
}
