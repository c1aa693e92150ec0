using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Platform.Errors;

/// <summary><c>GET /v1/errors</c> and <c>GET /v1/errors/{code}</c>: the catalog as clients read it (the <c>type</c> of problem details).</summary>
internal static class ErrorCatalogEndpoints
{
    public static IEndpointRouteBuilder MapErrorCatalog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/errors", ListErrors)
            .WithName("ListErrors").WithSummary("The whole error catalog.").WithTags("Errors");
        app.MapGet("/v1/errors/{code}", GetError)
            .WithName("GetError").WithSummary("One entry of the error catalog (the `type` of problem details).").WithTags("Errors")
            .ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static Ok<IEnumerable<ErrorCatalogEntry>> ListErrors() => TypedResults.Ok(ErrorCatalog.All.Select(ErrorCatalogEntry.From));

    private static Ok<ErrorCatalogEntry> GetError(string code) =>
        ErrorCatalog.Find(code) is { } entry ? TypedResults.Ok(ErrorCatalogEntry.From(entry)) : throw ApiErrors.NotFound();
}
