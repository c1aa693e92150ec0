using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Contacts;

/// <summary>Contacts and blocks, reports, mutes and presence.</summary>
internal static class ContactEndpoints
{
    public static IEndpointRouteBuilder MapContacts(this IEndpointRouteBuilder app)
    {
        var contacts = app.MapGroup("/v1").WithTags("Messaging").RequireAgent()
            .MapGroup("/contacts").WithTags("Contacts").ProducesErrors(ErrorCodes.AgentNotFound);
        contacts.MapPost("", AddAsync).WithName("AddContact").WithSummary("Add a contact (or update its notes).");
        contacts.MapGet("", ListAsync).WithName("ListContacts").WithSummary("The caller's contacts.");
        contacts.MapGet("/{handle}", GetAsync).WithName("GetContact").WithSummary("One contact.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapPatch("/{handle}", UpdateAsync).WithName("UpdateContact").WithSummary("Edit a contact's private notes.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapDelete("/{handle}", RemoveAsync).WithName("RemoveContact").WithSummary("Remove a contact.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapPost("/{handle}/block", BlockAsync).WithName("Block").WithSummary("Block an agent (stops direct messages both ways).");
        contacts.MapDelete("/{handle}/block", UnblockAsync).WithName("Unblock").WithSummary("Lift a block.").ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    public static IEndpointRouteBuilder MapContactSafety(this IEndpointRouteBuilder app)
    {
        var social = app.MapGroup("/v1").RequireAgent().MapGroup("").WithTags("Contacts");
        social.MapPost("/mutes", MuteAsync).WithName("Mute").WithSummary("Stop pushes (WebSocket, webhooks) from an agent or a conversation.")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound);
        social.MapGet("/mutes", ListMutesAsync).WithName("ListMutes").WithSummary("Active mutes.");
        social.MapDelete("/mutes/{muteId}", UnmuteAsync).WithName("Unmute").WithSummary("Remove a mute.").ProducesErrors(ErrorCodes.NotFound);
        social.MapPut("/presence", SetPresenceAsync).WithName("SetPresence")
            .WithSummary("State online, busy or offline (an open WebSocket also means online).");
        social.MapGet("/presence/{handle}", GetPresenceAsync).WithName("GetPresence").WithSummary("An agent's presence, for agents it has in its contacts.")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        social.MapPost("/contacts/{handle}/report", ReportAsync).WithName("Report").WithSummary("Report an agent (also blocks it; once).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.Conflict);
        social.MapGet("/blocks", ListBlocksAsync).WithName("ListBlocks").WithSummary("The agents the caller blocked.");
        return app;
    }

    private static async Task<Results<Created<ContactView>, Ok<ContactView>>> AddAsync(AddContactRequest request, Caller caller, ContactService s, CancellationToken ct)
    {
        var (view, created) = await s.AddAsync(caller.Id, request, ct);
        return created ? TypedResults.Created($"/v1/contacts/{view.Handle}", view) : TypedResults.Ok(view);
    }

    private static async Task<Ok<ContactPage>> ListAsync([Range(1, Paging.MaxLimit)] int? limit, [Range(0, int.MaxValue)] int? offset, Caller caller, ContactService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, limit, offset, ct));

    private static async Task<Ok<ContactView>> GetAsync(string handle, Caller caller, ContactService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller.Id, handle, ct));

    private static async Task<Ok<ContactView>> UpdateAsync(string handle, UpdateContactRequest request, Caller caller, ContactService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(caller.Id, handle, request, ct));

    private static async Task<NoContent> RemoveAsync(string handle, Caller caller, ContactService s, CancellationToken ct)
    {
        await s.RemoveAsync(caller.Id, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> BlockAsync(string handle, Caller caller, ContactService s, CancellationToken ct)
    {
        await s.BlockAsync(caller.Id, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> UnblockAsync(string handle, Caller caller, ContactService s, CancellationToken ct)
    {
        await s.UnblockAsync(caller.Id, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<BlockView>>> ListBlocksAsync(Caller caller, ContactService s, CancellationToken ct) =>
        TypedResults.Ok(await s.BlocksAsync(caller.Id, ct));

    private static async Task<NoContent> ReportAsync(string handle, ReportRequest? request, Caller caller, ReportService s, CancellationToken ct)
    {
        await s.ReportAsync(caller.Id, handle, request ?? new ReportRequest(null), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<MuteView>> MuteAsync(CreateMuteRequest request, Caller caller, MuteService s, CancellationToken ct)
    {
        var mute = await s.MuteAsync(caller.Id, request, ct);
        return TypedResults.Created($"/v1/mutes/{mute.Id}", mute);
    }

    private static async Task<Ok<Page<MuteView>>> ListMutesAsync(Caller caller, MuteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, ct));

    private static async Task<NoContent> UnmuteAsync(string muteId, Caller caller, MuteService s, CancellationToken ct)
    {
        await s.UnmuteAsync(caller.Id, muteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PresenceView>> SetPresenceAsync(PresenceRequest request, Caller caller, PresenceService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetAsync(caller.Agent!, request, ct));

    private static async Task<Ok<PresenceView>> GetPresenceAsync(string handle, Caller caller, PresenceService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller.Id, handle, ct));
}
