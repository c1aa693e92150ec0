using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0015_Sites")]
internal sealed class M0015_Sites : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "sites",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                url = t.Column<string>(nullable: false),
                manifest_url = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                version = t.Column<string>(nullable: false),
                server_url = t.Column<string>(nullable: false),
                auth_type = t.Column<string>(nullable: false),
                tools = t.Column<string>(nullable: false),
                token_entry_id = t.Column<string>(nullable: true),
                present_identity = t.Column<bool>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                refreshed_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_sites", x => x.id));
        migrationBuilder.CreateIndex("IX_sites_workspace_id", "sites", "workspace_id");
    }
}
