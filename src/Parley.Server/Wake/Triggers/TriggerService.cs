using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Wake.Triggers;

/// <summary>What a webhook call carries besides its body: the proofs of the secret, and its id for replays.</summary>
internal sealed record HookCall(string? SecretHeader, string? WebhookId, string? WebhookTimestamp, string? WebhookSignature, byte[] Body);

/// <summary>
/// Webhook triggers (wake.md): a URL whose caller proves the trigger's secret (<c>X-Webhook-Secret</c>, or a Standard
/// Webhooks <c>v1</c> signature), sends JSON that meets the trigger's schema (checked with JsonSchema.Net), and so
/// starts a run of the agent (reason <c>webhook</c>, the payload as its input). A repeated <c>webhook-id</c> gets the
/// first call's answer.
/// </summary>
internal sealed class TriggerService(Writes writes, Ids ids, TimeProvider time, SecretBox box, RunService runs, RateLimits rates)
{
    public const int MaxBodyBytes = 256 * 1024;
    private const string SecretPurpose = "trigger-secret";
    private const string SecretPrefix = "whsec_";
    private static readonly TimeSpan SignatureTolerance = TimeSpan.FromMinutes(5);
    private ParleyDb Db => writes.Db;

    public async Task<TriggerCreated> CreateAsync(Caller caller, Workspace workspace, string agentName, CreateTriggerRequest request, string baseUrl,
        CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("name", request.Name);
        v.Length("name", request.Name, 1, 100);
        v.Length("prompt_template", request.PromptTemplate, 0, 8192);
        string? schema = null;
        if (request.Schema is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } given)
        {
            schema = given.GetRawText();
            if (JsonSchemas.Compile(given) is null)
            {
                v.Add("schema", "must be a JSON Schema (draft 2020-12)");
            }
        }
        v.ThrowIfInvalid();
        var agent = await AgentQueries.ByNameAsync(Db, agentName, ct) is { Status: not AgentStatus.Deleted } found && found.OwnerWorkspaceId == workspace.Id
            ? found
            : throw new ApiException(ErrorCodes.AgentNotFound, "No such agent in the workspace.");
        var secret = NewSecret();
        var trigger = new Trigger
        {
            Id = ids.New("hook"), WorkspaceId = workspace.Id, AgentId = agent.Id, Name = name!.Trim(), Schema = schema,
            PromptTemplate = request.PromptTemplate, Secret = box.Seal(Encoding.UTF8.GetBytes(secret), SecretPurpose),
            CreatedBy = caller.PartitionKey, CreatedAt = time.NowMs(),
        };
        await writes.RunAsync(c =>
        {
            Db.Triggers.Add(trigger);
            return Task.CompletedTask;
        }, ct);
        return WithSecret(ToView(trigger, baseUrl), secret);
    }

    public async Task<TriggerList> ListAsync(Workspace workspace, string baseUrl, CancellationToken ct) =>
        new([.. (await Db.Triggers.AsNoTracking().Where(t => t.WorkspaceId == workspace.Id).OrderBy(t => t.Id).ToListAsync(ct)).Select(t => ToView(t, baseUrl))]);

    public async Task<TriggerView> GetAsync(Workspace workspace, string triggerId, string baseUrl, CancellationToken ct) =>
        ToView(await FindAsync(workspace, triggerId, ct), baseUrl);

    public Task DeleteAsync(Workspace workspace, string triggerId, CancellationToken ct) =>
        writes.RunAsync(async c => Db.Triggers.Remove(await FindAsync(workspace, triggerId, c)), ct);

    /// <summary>A new secret; the old one stops working at once.</summary>
    public Task<TriggerCreated> RotateAsync(Workspace workspace, string triggerId, string baseUrl, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var trigger = await FindAsync(workspace, triggerId, c);
            var secret = NewSecret();
            trigger.Secret = box.Seal(Encoding.UTF8.GetBytes(secret), SecretPurpose);
            Db.Triggers.Update(trigger);
            return WithSecret(ToView(trigger, baseUrl), secret);
        }, ct);

    /// <summary>
    /// A call of the trigger's URL: the secret (else <c>UNAUTHORIZED</c>, the same for an unknown trigger), the size,
    /// the rate (60 a minute per trigger), JSON meeting the schema (else <c>VALIDATION_ERROR</c> by JSON path), then a run
    /// (<c>AGENT_ALREADY_RUNNING</c> when the agent is busy).
    /// </summary>
    public async Task<HookAccepted> CallAsync(string triggerId, HookCall call, CancellationToken ct)
    {
        var trigger = await Db.Triggers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == triggerId, ct);
        if (trigger is null || !Proves(call, Encoding.UTF8.GetString(box.Open(trigger.Secret, SecretPurpose))))
        {
            throw new ApiException(ErrorCodes.Unauthorized, "The webhook secret or signature is missing or wrong.");
        }
        if (call.Body.Length > MaxBodyBytes)
        {
            throw ApiErrors.TooLarge(MaxBodyBytes, $"A webhook payload is at most {MaxBodyBytes} bytes.");
        }
        rates.Enforce("trigger-call", "trigger:" + trigger.Id);
        JsonElement payload;
        try
        {
            payload = JsonDocument.Parse(call.Body).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiErrors.Validation("$", "must be JSON");
        }
        if (trigger.Schema is { } schemaText && JsonSchemas.Compile(JsonDocument.Parse(schemaText).RootElement) is { } schema)
        {
            JsonSchemas.ThrowIfInvalid(schema, payload, "The payload does not meet the trigger's schema.");
        }
        return await writes.RunAsync(async c =>
        {
            if (call.WebhookId is { } webhookId
                && await Db.TriggerCalls.AsNoTracking().FirstOrDefaultAsync(x => x.TriggerId == trigger.Id && x.WebhookId == webhookId, c) is { } repeat)
            {
                return new HookAccepted(repeat.RunId, repeat.Status);
            }
            var agent = await AgentQueries.ByIdAsync(Db, trigger.AgentId, c) ?? throw ApiErrors.NotFound();
            var input = payload.GetRawText();
            var prompt = (trigger.PromptTemplate ?? $"The webhook '{trigger.Name}' was called with this payload:\n{{{{payload}}}}")
                .Replace("{{payload}}", input, StringComparison.Ordinal);
            var run = await runs.StartAsync(agent, new RunRequest(RunReasons.Webhook, trigger.CreatedBy)
            {
                Input = input, HookId = trigger.Id, Prompt = prompt,
            }, c);
            if (call.WebhookId is { } id)
            {
                Db.TriggerCalls.Add(new TriggerCall { TriggerId = trigger.Id, WebhookId = id, RunId = run.Id, Status = run.Status, CreatedAt = time.NowMs() });
            }
            return new HookAccepted(run.Id, run.Status);
        }, ct);
    }

    /// <summary>
    /// <c>X-Webhook-Secret</c> compared in constant time, or Standard Webhooks: HMAC-SHA256 of
    /// <c>id.timestamp.body</c> keyed by the secret's base64 part, the timestamp within 5 minutes of now.
    /// </summary>
    private bool Proves(HookCall call, string secret)
    {
        if (call.SecretHeader is { } presented)
        {
            return Secrets.FixedTimeEquals(presented, secret);
        }
        if (call.WebhookId is not { } id || call.WebhookTimestamp is not { } stamp || call.WebhookSignature is not { } signatures
            || !long.TryParse(stamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - seconds) > SignatureTolerance.TotalSeconds)
        {
            return false;
        }
        var signed = Encoding.UTF8.GetBytes($"{id}.{stamp}.").Concat(call.Body).ToArray();
        var expected = HMACSHA256.HashData(Convert.FromBase64String(secret[SecretPrefix.Length..]), signed);
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith("v1,", StringComparison.Ordinal) && TryBase64(candidate[3..]) is { } given
                && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    private static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private async Task<Trigger> FindAsync(Workspace workspace, string triggerId, CancellationToken ct) =>
        await Db.Triggers.FirstOrDefaultAsync(t => t.Id == triggerId && t.WorkspaceId == workspace.Id, ct) ?? throw ApiErrors.NotFound();

    private static TriggerCreated WithSecret(TriggerView v, string secret) =>
        new(v.Id, v.AgentId, v.Name, v.Url, v.Schema, v.PromptTemplate, v.CreatedAt, secret);

    private static TriggerView ToView(Trigger t, string baseUrl) => new(t.Id, t.AgentId, t.Name, $"{baseUrl}/v1/hooks/{t.Id}",
        t.Schema is null ? null : JsonDocument.Parse(t.Schema).RootElement.Clone(), t.PromptTemplate, Clock.Time(t.CreatedAt));
}
