using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0010_Schedules")]
internal sealed class M0010_Schedules : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "schedules",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                cron = t.Column<string>(nullable: false),
                time_zone = t.Column<string>(nullable: false),
                input = t.Column<string>(nullable: true),
                enabled = t.Column<bool>(nullable: false),
                next_run_at = t.Column<long>(nullable: true),
                last_run_at = t.Column<long>(nullable: true),
                created_by = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_schedules", x => x.id));
        migrationBuilder.CreateIndex("IX_schedules_agent_id", "schedules", "agent_id");
        migrationBuilder.CreateIndex("IX_schedules_next_run_at", "schedules", "next_run_at");
    }
}
