using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Health;

/// <summary>Set once start-up has applied every migration.</summary>
internal sealed class Readiness
{
    public volatile bool MigrationsApplied;
}

internal sealed record HealthStatus(string Status);

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Health)
            .WithName("Health").WithSummary("The process is up.").WithTags("Health");
        app.MapGet("/readyz", ReadyAsync)
            .WithName("Ready").WithSummary("The database is reachable and every migration is applied.").WithTags("Health");
        return app;
    }

    private static Ok<HealthStatus> Health() => TypedResults.Ok(new HealthStatus("ok"));

    private static async Task<Ok<HealthStatus>> ReadyAsync(ParleyDb db, Readiness readiness, CancellationToken cancellationToken)
    {
        if (!readiness.MigrationsApplied)
        {
            throw ApiErrors.Unavailable("Migrations are not applied yet.", TimeSpan.FromSeconds(1));
        }
        await Sql.ExecuteAsync(db, "SELECT 1", cancellationToken);
        return TypedResults.Ok(new HealthStatus("ready"));
    }
}
