using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Identity.Devices;

internal static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var pairing = app.MapGroup("/v1/devices/pairings").WithTags("Devices");
        pairing.MapPost("", StartAsync).WithName("StartPairing").RateLimited("device-pairing")
            .WithSummary("A device asks to be paired: a user code for a person to approve, a device code for the device to poll with.");
        pairing.MapPost("/token", PollAsync).WithName("PollPairing")
            .WithSummary("The device polls: 202 while pending, 200 with the device token (once) when approved.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.CodeExpired, ErrorCodes.Forbidden, ErrorCodes.RateLimited);

        var workspace = app.MapGroup("/v1/workspaces/{workspaceId}/devices").WithTags("Devices").RequireOwner();
        workspace.MapPost("/approve", ApproveAsync).WithName("ApproveDevice").RequireWorkspaceRole(Roles.Admin).RateLimited("device-approve")
            .WithSummary("Approve a pairing by the code the device shows.").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.FeatureLimitReached);
        workspace.MapPost("/deny", DenyAsync).WithName("DenyDevice").RequireWorkspaceRole(Roles.Admin).RateLimited("device-approve")
            .WithSummary("Deny a pairing by its code.").ProducesErrors(ErrorCodes.NotFound);
        workspace.MapGet("", ListAsync).WithName("ListDevices").RequireWorkspaceRole(Roles.Member).WithSummary("The workspace's devices.");
        workspace.MapDelete("/{deviceId}", RevokeAsync).WithName("RevokeDevice").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Revoke a device: its token stops working and its listener is disconnected, on every node.").ProducesErrors(ErrorCodes.NotFound);

        var me = app.MapGroup("/v1/devices/me").WithTags("Devices").RequireDevice();
        me.MapGet("", MeAsync).WithName("GetDevice").WithSummary("The calling device and its bindings.");
        me.MapPut("/bindings", BindAsync).WithName("SetBindings")
            .WithSummary("Replace the device's bindings: which of the workspace's agents it runs, with which host.").ProducesErrors(ErrorCodes.AgentNotFound);
        return app;
    }

    private static async Task<Created<PairingStarted>> StartAsync(StartPairingRequest request, HttpContext http, IOptions<ParleyOptions> options,
        DeviceService s, CancellationToken ct)
    {
        var started = await s.StartPairingAsync(request, PublicUrls.Base(http, options.Value), ct);
        return TypedResults.Created($"/v1/devices/pairings/{started.PairingId}", started);
    }

    private static async Task<Results<Ok<DeviceTokenIssued>, Accepted<PairingPending>>> PollAsync(PairingTokenRequest request, DeviceService s,
        IOptions<IdentityOptions> options, CancellationToken ct) =>
        await s.PollAsync(request, ct) is { } issued
            ? TypedResults.Ok(issued)
            : TypedResults.Accepted((string?)null, new PairingPending("pending", options.Value.Limits.Devices.PollIntervalSeconds));

    private static async Task<Ok<DeviceApproved>> ApproveAsync(UserCodeRequest request, Caller caller, WorkspaceAccess access, DeviceService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.ApproveAsync(caller, access.Workspace, request, ct));

    private static async Task<NoContent> DenyAsync(UserCodeRequest request, DeviceService s, CancellationToken ct)
    {
        await s.DenyAsync(request, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<DeviceList>> ListAsync(WorkspaceAccess access, DeviceService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, ct));

    private static async Task<NoContent> RevokeAsync(string deviceId, WorkspaceAccess access, DeviceService s, CancellationToken ct)
    {
        await s.RevokeAsync(access.Workspace, deviceId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<DeviceView>> MeAsync(Caller caller, DeviceService s, CancellationToken ct) => TypedResults.Ok(await s.MeAsync(caller, ct));

    private static async Task<Ok<DeviceView>> BindAsync(List<BindingRequest>? request, Caller caller, DeviceService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetBindingsAsync(caller, request, ct));
}
