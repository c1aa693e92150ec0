using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Platform.Health;

/// <summary>Set once start-up has applied every migration.</summary>
internal sealed class Readiness
{
    public volatile bool MigrationsApplied;
}

internal sealed record HealthStatus(string Status);

internal sealed record ErrorCatalogEntry(string Code, int Status, bool Retryable, string Title, string Description);

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok")))
            .WithName("Health").WithSummary("The process is up.").WithTags("Health");
        app.MapGet("/readyz", ReadyAsync)
            .WithName("Ready").WithSummary("The database is reachable and every migration is applied.").WithTags("Health");
        app.MapGet("/v1/errors", () => TypedResults.Ok(ErrorCatalog.All.Select(ToEntry)))
            .WithName("ListErrors").WithSummary("The whole error catalog.").WithTags("Errors");
        app.MapGet("/v1/errors/{code}", (string code) => ErrorCatalog.Find(code) is { } entry
                ? TypedResults.Ok(ToEntry(entry))
                : throw ApiErrors.NotFound())
            .WithName("GetError").WithSummary("One entry of the error catalog (the `type` of problem details).").WithTags("Errors")
            .ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<Ok<HealthStatus>> ReadyAsync(ParleyDb db, Readiness readiness, CancellationToken cancellationToken)
    {
        if (!readiness.MigrationsApplied)
        {
            throw ApiErrors.Unavailable("Migrations are not applied yet.", TimeSpan.FromSeconds(1));
        }
        await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
        return TypedResults.Ok(new HealthStatus("ready"));
    }

    private static ErrorCatalogEntry ToEntry(ErrorDefinition e) => new(e.Code, e.Status, e.Retryable, e.Title, e.Description);
}
