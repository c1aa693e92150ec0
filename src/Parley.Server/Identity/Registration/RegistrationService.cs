using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Registration;

/// <summary>
/// Agents without a human at hand: self-registration by email code, recovery of a lost key, and key rotation.
/// One active self-registered agent per email; an email backs at most three registrations in its lifetime.
/// </summary>
internal sealed class RegistrationService(
    Writes writes, OneTimeCodes codes, AgentService agents, AgentSignals signals, TimeProvider time, IOptions<IdentityOptions> options)
{
    private ParleyDb Db => writes.Db;
    private IdentityLimits Limits => options.Value.Limits;

    private sealed record RegisterPayload(string Handle, string? DisplayName, string? Description);

    private sealed record AgentPayload(string AgentId, string? KeyId = null);

    public async Task<PendingCreated> RegisterAsync(RegisterRequest request, CancellationToken ct)
    {
        EnsureEnabled();
        var v = new Validator();
        var email = v.Required("email", request.Email);
        OwnerAuthService.ValidateEmail(v, "email", request.Email);
        AgentService.ValidateProfile(v, request.DisplayName, request.Description);
        v.ThrowIfInvalid();
        var handle = Handles.Validate(request.Handle);
        email = OwnerAuthService.NormalizeEmail(email);
        return await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Email(email));
            await EnsureEmailCanRegisterAsync(email, c);
            if (await AgentQueries.HandleInUseAsync(Db, handle, c))
            {
                throw Handles.Taken(handle);
            }
            var pending = await codes.StartAsync(CodePurpose.Register, email, new RegisterPayload(handle, request.DisplayName, request.Description),
                deliverable: true, "Your Parley agent registration code", c);
            return new PendingCreated(pending.Id, codes.TtlSeconds);
        }, ct);
    }

    private async Task EnsureEmailCanRegisterAsync(string email, CancellationToken c)
    {
        var registered = await Db.Agents.Where(a => a.RegisteredEmail == email).Select(a => a.Status).ToListAsync(c);
        if (registered.Any(s => s != AgentStatus.Deleted))
        {
            throw new ApiException(ErrorCodes.EmailTaken, "An active self-registered agent already uses this email.");
        }
        if (registered.Count >= Limits.RegistrationsPerEmail)
        {
            throw new ApiException(ErrorCodes.EmailExhausted, "This email has backed the most registrations it may.");
        }
    }

    public async Task<AgentCreated> VerifyRegistrationAsync(PendingCodeRequest request, CancellationToken ct)
    {
        EnsureEnabled();
        RequirePendingAndCode(request);
        var entry = await codes.CheckAsync(request.PendingId, CodePurpose.Register, request.Code, ct);
        try
        {
            return await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.Email(entry.Email));
                var payload = await codes.ConsumeAsync<RegisterPayload>(entry, c);
                await EnsureEmailCanRegisterAsync(entry.Email, c);
                if (await AgentQueries.HandleInUseAsync(Db, payload.Handle, c))
                {
                    throw Handles.Taken(payload.Handle);
                }
                var agent = agents.NewAgent(payload.Handle, payload.DisplayName, payload.Description, workspaceId: null, registeredEmail: entry.Email);
                Db.Agents.Add(agent);
                var (_, apiKey) = agents.AddKey(agent.Id, KeyKinds.Secret, "default", Scopes.All);
                return new AgentCreated(agent.ToView(), apiKey);
            }, ct);
        }
        catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
        {
            throw Handles.Taken(JsonHandle(entry.Payload));
        }
    }

    private static string JsonHandle(string payload) => System.Text.Json.JsonSerializer.Deserialize<RegisterPayload>(payload)!.Handle;

    /// <summary>The same answer whether or not the email has an agent; at most three recoveries per email per hour.</summary>
    public async Task<PendingOnly> StartRecoveryAsync(EmailRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var email = OwnerAuthService.NormalizeEmail(v.Required("email", request.Email));
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Email(email));
            var hourAgo = time.NowMs() - Clock.HourMs;
            var recent = await Db.PendingCodes.Where(p => p.Email == email && p.Purpose == CodePurpose.Recover && p.LastSentAt > hourAgo)
                .Select(p => p.LastSentAt).ToListAsync(c);
            if (recent.Count >= Limits.RecoveriesPerEmailPerHour)
            {
                var wait = TimeSpan.FromMilliseconds(recent.Min() + Clock.HourMs - time.NowMs());
                throw ApiErrors.RateLimited(Limits.RecoveriesPerEmailPerHour, 3600, wait);
            }
            var agent = await Db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.RegisteredEmail == email
                && a.Status != AgentStatus.Deleted && a.Status != AgentStatus.Suspended, c);
            // A fresh entry each time, so the hourly count above sees every recovery.
            await Db.PendingCodes.Where(p => p.Email == email && p.Purpose == CodePurpose.Recover && !p.Consumed)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Consumed, true), c);
            var pending = await codes.StartAsync(CodePurpose.Recover, email, new AgentPayload(agent?.Id ?? ""), agent is not null,
                "Recover your Parley agent", c, ignoreResendWait: true);
            return new PendingOnly(pending.Id);
        }, ct);
    }

    public async Task<RecoveredKey> FinishRecoveryAsync(PendingCodeRequest request, CancellationToken ct)
    {
        RequirePendingAndCode(request);
        var entry = await codes.CheckAsync(request.PendingId, CodePurpose.Recover, request.Code, ct);
        return await writes.RunAsync(async c =>
        {
            var payload = await codes.ConsumeAsync<AgentPayload>(entry, c);
            var agent = await Db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == payload.AgentId && a.Status != AgentStatus.Deleted, c)
                ?? throw new ApiException(ErrorCodes.InvalidCode, "The code is wrong.", ApiErrors.Details(("attempts_left", 0)));
            var apiKey = await ReplaceKeysAsync(agent.Id, c);
            return new RecoveredKey(agent.Handle, apiKey);
        }, ct);
    }

    public async Task<PendingOnly> StartRotationAsync(Caller caller, CancellationToken ct)
    {
        var agent = caller.Agent!;
        if (agent.RegisteredEmail is null)
        {
            throw ApiErrors.Forbidden("no_email", "This agent has no registration email; its owner manages its keys.");
        }
        return await writes.RunAsync(async c =>
        {
            var pending = await codes.StartAsync(CodePurpose.Rotate, agent.RegisteredEmail, new AgentPayload(agent.Id, caller.CredentialId),
                deliverable: true, "Rotate your Parley agent key", c);
            return new PendingOnly(pending.Id);
        }, ct);
    }

    /// <summary>A new key; the old one dies at once and an owner's claim on the agent is released.</summary>
    public async Task<RotatedKey> FinishRotationAsync(Caller caller, PendingCodeRequest request, CancellationToken ct)
    {
        RequirePendingAndCode(request);
        var entry = await codes.CheckAsync(request.PendingId, CodePurpose.Rotate, request.Code, ct);
        return await writes.RunAsync(async c =>
        {
            var payload = await codes.ConsumeAsync<AgentPayload>(entry, c);
            if (payload.AgentId != caller.Agent!.Id)
            {
                throw new ApiException(ErrorCodes.InvalidCode, "The code is wrong.", ApiErrors.Details(("attempts_left", 0)));
            }
            var apiKey = await ReplaceKeysAsync(caller.Agent.Id, c);
            var agent = await Db.Agents.FirstAsync(a => a.Id == caller.Agent.Id, c);
            if (agent.OwnerWorkspaceId is { } workspace)
            {
                agent.OwnerWorkspaceId = null;
                agent.IsDefault = false;
                await signals.TellAsync(agent.Id, FrameTypes.AgentReleased, new { agent_id = agent.Id, workspace_id = workspace, reason = "key_rotated" }, c);
            }
            return new RotatedKey(apiKey);
        }, ct);
    }

    /// <summary>Revokes every key of the agent and gives it one new secret key.</summary>
    private async Task<string> ReplaceKeysAsync(string agentId, CancellationToken c)
    {
        var now = time.NowMs();
        await Db.ApiKeys.Where(k => k.AgentId == agentId && k.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), c);
        signals.RevokeAll(agentId);
        return agents.AddKey(agentId, KeyKinds.Secret, "default", Scopes.All).ApiKey;
    }

    private static void RequirePendingAndCode(PendingCodeRequest request)
    {
        var v = new Validator();
        v.Required("pending_id", request.PendingId);
        v.Required("code", request.Code);
        v.ThrowIfInvalid();
    }

    private void EnsureEnabled()
    {
        if (!options.Value.Registration.Enabled)
        {
            throw ApiErrors.Forbidden("registration_disabled", "Self-registration is turned off on this server.");
        }
    }
}
