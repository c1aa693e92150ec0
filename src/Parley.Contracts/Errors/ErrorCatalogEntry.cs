namespace Parley.Contracts.Errors;

// One entry of the error catalog, as GET /v1/errors serves it.
/// <summary>
/// The public shape of an <see cref="ErrorDefinition"/>: an item of <c>GET /v1/errors</c> and the answer of
/// <c>GET /v1/errors/{code}</c> (also what the <c>type</c> of problem details points to).
/// </summary>
/// <param name="Code">The stable code, e.g. <c>INBOX_RESTRICTED</c> (one of <see cref="ErrorCodes"/>).</param>
/// <param name="Status">The HTTP status that always goes with the code.</param>
/// <param name="Retryable">Whether the same request may be retried unchanged (after <c>Retry-After</c> where given).</param>
/// <param name="Title">A short human title.</param>
/// <param name="Description">When the code is answered, for people.</param>
public sealed record ErrorCatalogEntry(string Code, int Status, bool Retryable, string Title, string Description)
{
    /// <summary>The served shape of a catalog definition.</summary>
    /// <param name="definition">The catalog entry to serve.</param>
    public static ErrorCatalogEntry From(ErrorDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new(definition.Code, definition.Status, definition.Retryable, definition.Title, definition.Description);
    }
}
