using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0012_OwnerEvents")]
internal sealed class M0012_OwnerEvents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "owner_events",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                type = t.Column<string>(nullable: false),
                data = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_owner_events", x => x.id));
        migrationBuilder.CreateIndex("IX_owner_events_workspace_id_id", "owner_events", ["workspace_id", "id"]);
        migrationBuilder.CreateIndex("IX_owner_events_created_at", "owner_events", "created_at");
    }
}
