using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Gateway.Sites;

/// <summary>A website whose published tools the workspace's agents may call (its manifest, as last fetched).</summary>
internal sealed class Site
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }

    /// <summary>The URL the owner gave; the manifest is looked up under it.</summary>
    public required string Url { get; set; }

    public required string ManifestUrl { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    public required string ServerUrl { get; set; }
    public required string AuthType { get; set; }

    /// <summary>The manifest's tools as JSON: <c>[{name, description, input_schema}]</c>.</summary>
    public required string Tools { get; set; }

    /// <summary>The vault entry made from the token given with the site, if any.</summary>
    public string? TokenEntryId { get; set; }

    public bool PresentIdentity { get; set; }
    public long CreatedAt { get; set; }
    public long RefreshedAt { get; set; }
}

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> builder)
    {
        builder.ToTable("sites");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.WorkspaceId);
    }
}
