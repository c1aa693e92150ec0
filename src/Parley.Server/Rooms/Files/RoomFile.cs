using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Rooms.Files;

/// <summary>One version of a room file; its bytes and state are the file store's (<see cref="FileId"/>).</summary>
internal sealed class RoomFile
{
    public required string RoomId { get; set; }
    public required string Path { get; set; }
    public long Version { get; set; }
    public required string FileId { get; set; }
    public required string UpdatedBy { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class RoomFileConfiguration : IEntityTypeConfiguration<RoomFile>
{
    public void Configure(EntityTypeBuilder<RoomFile> builder)
    {
        builder.ToTable("room_files");
        builder.HasKey(f => new { f.RoomId, f.Path, f.Version });
        builder.HasIndex(f => f.FileId).IsUnique();
    }
}
