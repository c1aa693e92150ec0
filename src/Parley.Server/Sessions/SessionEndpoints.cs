using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Sessions;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Sessions;

/// <summary>Model providers and sessions (sessions.md). A message's answer is JSON, or Server-Sent Events when asked for.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/v1/workspaces/{workspaceId}/models").WithTags("Sessions").RequireOwner();
        models.MapPost("", CreateProviderAsync).WithName("CreateModelProvider").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("An OpenAI-compatible model provider; its key goes into the vault.").ProducesErrors(ErrorCodes.InvalidUrl, ErrorCodes.TokenExists,
                ErrorCodes.FeatureLimitReached);
        models.MapGet("", ListProvidersAsync).WithName("ListModelProviders").RequireWorkspaceRole(Roles.Member).WithSummary("The workspace's model providers.");
        models.MapGet("/{providerId}", GetProviderAsync).WithName("GetModelProvider").RequireWorkspaceRole(Roles.Member).WithSummary("One model provider.")
            .ProducesErrors(ErrorCodes.NotFound);
        models.MapPatch("/{providerId}", UpdateProviderAsync).WithName("UpdateModelProvider").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Change a provider's name or models.").ProducesErrors(ErrorCodes.NotFound);
        models.MapDelete("/{providerId}", DeleteProviderAsync).WithName("DeleteModelProvider").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Remove a provider (its vault entry stays).").ProducesErrors(ErrorCodes.NotFound);

        var sessions = app.MapGroup("/v1/sessions").WithTags("Sessions").RequireOwnerOrAgent();
        sessions.MapPost("", CreateAsync).WithName("CreateSession").WithSummary("A conversation with a model of the workspace, with its sites' tools.")
            .ProducesErrors(ErrorCodes.WorkspaceNotFound);
        sessions.MapGet("/{sessionId}", GetAsync).WithName("GetSession").WithSummary("One session.").ProducesErrors(ErrorCodes.NotFound);
        sessions.MapGet("/{sessionId}/messages", MessagesAsync).WithName("ListSessionMessages").WithSummary("The session's messages, oldest first.")
            .ProducesErrors(ErrorCodes.NotFound);
        sessions.MapPost("/{sessionId}/messages", SendAsync).WithName("SendSessionMessage").WithMetadata(new SkipIdempotencyMetadata())
            .WithSummary("Send a message: the model's answer as JSON, or as Server-Sent Events with stream: true (delta, tool_call, tool_result, done, error).")
            .Produces<SessionAnswer>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Forbidden, ErrorCodes.SessionExpired, ErrorCodes.Conflict, ErrorCodes.NoCredits, ErrorCodes.QuotaExceeded,
                ErrorCodes.UpstreamError, ErrorCodes.UpstreamTimeout, ErrorCodes.PolicyBlocked, ErrorCodes.ApprovalDenied, ErrorCodes.RateLimited,
                ErrorCodes.OutgoingRateLimited, ErrorCodes.ServiceUnavailable);
        sessions.MapDelete("/{sessionId}", DeleteAsync).WithName("DeleteSession").WithSummary("Remove a session and its messages.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Forbidden);
        return app;
    }

    private static async Task<Created<ModelProviderView>> CreateProviderAsync(CreateModelProviderRequest request, Caller caller, WorkspaceAccess access,
        ModelService s, CancellationToken ct)
    {
        var provider = await s.CreateAsync(caller, access.Workspace, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/models/{provider.Id}", provider);
    }

    private static async Task<Ok<ModelProviderList>> ListProvidersAsync(WorkspaceAccess access, ModelService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, ct));

    private static async Task<Ok<ModelProviderView>> GetProviderAsync(string providerId, WorkspaceAccess access, ModelService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(access.Workspace, providerId, ct));

    private static async Task<Ok<ModelProviderView>> UpdateProviderAsync(string providerId, UpdateModelProviderRequest request, WorkspaceAccess access,
        ModelService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(access.Workspace, providerId, request, ct));

    private static async Task<NoContent> DeleteProviderAsync(string providerId, WorkspaceAccess access, ModelService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, providerId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<SessionView>> CreateAsync(CreateSessionRequest request, Caller caller, SessionService s, CancellationToken ct)
    {
        var session = await s.CreateAsync(caller, request, ct);
        return TypedResults.Created($"/v1/sessions/{session.Id}", session);
    }

    private static async Task<Ok<SessionView>> GetAsync(string sessionId, Caller caller, SessionService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller, sessionId, ct));

    private static async Task<Ok<SessionMessageList>> MessagesAsync(string sessionId, Caller caller, SessionService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MessagesAsync(caller, sessionId, ct));

    private static async Task<NoContent> DeleteAsync(string sessionId, Caller caller, SessionService s, CancellationToken ct)
    {
        await s.DeleteAsync(caller, sessionId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// JSON, or a stream: the stream starts with the first event (an error before it — expired, busy, no credits — is an
    /// ordinary error response); after it an error is an <c>error</c> event and the stream ends. A comment every 15 s
    /// keeps it open while tools or the model take their time.
    /// </summary>
    private static async Task<IResult> SendAsync(string sessionId, SendSessionMessageRequest request, Caller caller, HttpContext http, SessionService s,
        TimeProvider time, CancellationToken ct)
    {
        var stream = request.Stream ?? http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (!stream)
        {
            return TypedResults.Ok(new SessionAnswer(await s.SendAsync(caller, sessionId, request, stream: false, _ => Task.CompletedTask, ct)));
        }
        using var writer = new EventStreamWriter(http.Response);
        using var heartbeats = new CancellationTokenSource();
        var beating = writer.HeartbeatAsync(TimeSpan.FromSeconds(15), time, heartbeats.Token);
        try
        {
            await s.SendAsync(caller, sessionId, request, stream: true, e => writer.WriteAsync(e.Type, e.Data, ct), ct);
        }
        catch (ApiException e) when (writer.Started)
        {
            await writer.WriteAsync("error", ErrorWriter.Envelope(e, http.TraceIdentifier, null), CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left; the message is stored aborted.
        }
        finally
        {
            await heartbeats.CancelAsync();
            await beating;
        }
        return Results.Empty;
    }
}

/// <summary>Model sessions (sessions.md).</summary>
internal static class SessionsModule
{
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<SessionOptions>(builder.Configuration.GetSection("Sessions"));
        builder.Services.AddScoped<ModelService>();
        builder.Services.AddScoped<SessionService>();
        return builder;
    }

    public static WebApplication MapSessionRoutes(this WebApplication app)
    {
        app.MapSessions();
        return app;
    }
}
