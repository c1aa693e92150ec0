namespace Parley.Contracts.Errors;

// One entry of the error catalog, as GET /v1/errors serves it.
public sealed record ErrorCatalogEntry(string Code, int Status, bool Retryable, string Title, string Description)
{
    /// <summary>The served shape of a catalog definition.</summary>
    public static ErrorCatalogEntry From(ErrorDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new(definition.Code, definition.Status, definition.Retryable, definition.Title, definition.Description);
    }
}
