using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Testing;
using Parley.Server.Wake.Listener;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Wake;

/// <summary>
/// Test-only routes (behind <c>Testing:FaultHooks</c>) that let a test play a hostile server or network against a real
/// listener: put any frame on a device's sockets on this node (a forged envelope, say), and sign again the envelope of
/// a run that was already woken (a replay: same <c>jti</c>, valid signature).
/// </summary>
internal static class WakeTestHooks
{
    public static IEndpointRouteBuilder MapWakeTestHooks(this IEndpointRouteBuilder app)
    {
        var group = FaultHooks.Routes(app).MapGroup("/wake");
        group.MapPost("/devices/{deviceId}/frames", SendFrameAsync);
        group.MapPost("/runs/{runId}/envelope", EnvelopeAsync);
        return app;
    }

    private static async Task<Ok<TestFrameSent>> SendFrameAsync(string deviceId, JsonElement frame, DeviceHub hub, CancellationToken ct) =>
        TypedResults.Ok(new TestFrameSent(await hub.SendRawAsync(deviceId, frame, ct)));

    private static async Task<Ok<TestEnvelope>> EnvelopeAsync(string runId, ParleyDb db, RunDispatch dispatch, CancellationToken ct)
    {
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.WakeId != null, ct) ?? throw ApiErrors.NotFound();
        return TypedResults.Ok(new TestEnvelope(await dispatch.EnvelopeAsync(run, ct)));
    }

    private sealed record TestFrameSent(int Sockets);

    private sealed record TestEnvelope(string Envelope);
}
