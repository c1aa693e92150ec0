using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Wake.Triggers;

internal static class TriggerEndpoints
{
    public static IEndpointRouteBuilder MapTriggers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/workspaces/{workspaceId}/agents/{agent}/triggers", CreateAsync).WithTags("Runs").RequireOwner().RequireWorkspaceRole(Roles.Admin)
            .WithName("CreateTrigger").WithSummary("A webhook that starts runs of the agent; its secret is shown once.")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        var triggers = app.MapGroup("/v1/workspaces/{workspaceId}/triggers").WithTags("Runs").RequireOwner();
        triggers.MapGet("", ListAsync).WithName("ListTriggers").RequireWorkspaceRole(Roles.Member).WithSummary("The workspace's triggers (never their secrets).");
        triggers.MapGet("/{triggerId}", GetAsync).WithName("GetTrigger").RequireWorkspaceRole(Roles.Member).WithSummary("One trigger.")
            .ProducesErrors(ErrorCodes.NotFound);
        triggers.MapDelete("/{triggerId}", DeleteAsync).WithName("DeleteTrigger").RequireWorkspaceRole(Roles.Admin).WithSummary("Remove a trigger.")
            .ProducesErrors(ErrorCodes.NotFound);
        triggers.MapPost("/{triggerId}/rotate-secret", RotateAsync).WithName("RotateTriggerSecret").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("A new secret, shown once; the old one stops working.").ProducesErrors(ErrorCodes.NotFound);

        app.MapPost("/v1/hooks/{triggerId}", CallAsync).WithTags("Runs").WithName("CallTrigger")
            .WithSummary("Call a trigger: X-Webhook-Secret or a Standard Webhooks signature; the JSON payload starts a run.")
            .Accepts<object>("application/json")
            .ProducesErrors(ErrorCodes.Unauthorized, ErrorCodes.ContentTooLarge, ErrorCodes.RateLimited, ErrorCodes.AgentAlreadyRunning,
                ErrorCodes.QuotaExceeded, ErrorCodes.NoCredits, ErrorCodes.NotFound);
        return app;
    }

    private static string BaseUrl(HttpContext http, IOptions<ParleyOptions> options) => PublicUrls.Base(http, options.Value);

    private static async Task<Created<TriggerCreated>> CreateAsync(string agent, CreateTriggerRequest request, Caller caller, WorkspaceAccess access,
        HttpContext http, IOptions<ParleyOptions> options, TriggerService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller, access.Workspace, agent, request, BaseUrl(http, options), ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/triggers/{created.Id}", created);
    }

    private static async Task<Ok<TriggerList>> ListAsync(WorkspaceAccess access, HttpContext http, IOptions<ParleyOptions> options, TriggerService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, BaseUrl(http, options), ct));

    private static async Task<Ok<TriggerView>> GetAsync(string triggerId, WorkspaceAccess access, HttpContext http, IOptions<ParleyOptions> options,
        TriggerService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(access.Workspace, triggerId, BaseUrl(http, options), ct));

    private static async Task<NoContent> DeleteAsync(string triggerId, WorkspaceAccess access, TriggerService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, triggerId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<TriggerCreated>> RotateAsync(string triggerId, WorkspaceAccess access, HttpContext http, IOptions<ParleyOptions> options,
        TriggerService s, CancellationToken ct) =>
        TypedResults.Ok(await s.RotateAsync(access.Workspace, triggerId, BaseUrl(http, options), ct));

    private static async Task<Accepted<HookAccepted>> CallAsync(string triggerId, HttpContext http, TriggerService s, CancellationToken ct)
    {
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0 && body.Length <= TriggerService.MaxBodyBytes)
        {
            body.Write(buffer, 0, read);
        }
        var headers = http.Request.Headers;
        string? Header(string name) => headers.TryGetValue(name, out var value) && value.Count > 0 ? value.ToString() : null;
        var accepted = await s.CallAsync(triggerId,
            new HookCall(Header("X-Webhook-Secret"), Header("webhook-id"), Header("webhook-timestamp"), Header("webhook-signature"), body.ToArray()), ct);
        return TypedResults.Accepted($"/v1/runs/{accepted.RunId}", accepted);
    }
}
