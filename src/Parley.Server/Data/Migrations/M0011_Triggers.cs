using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0011_Triggers")]
internal sealed class M0011_Triggers : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "triggers",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                schema = t.Column<string>(nullable: true),
                prompt_template = t.Column<string>(nullable: true),
                secret = t.Column<byte[]>(nullable: false),
                created_by = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_triggers", x => x.id));
        migrationBuilder.CreateIndex("IX_triggers_workspace_id", "triggers", "workspace_id");

        migrationBuilder.CreateTable(
            name: "trigger_calls",
            columns: t => new
            {
                trigger_id = t.Column<string>(nullable: false),
                webhook_id = t.Column<string>(nullable: false),
                run_id = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_trigger_calls", x => new { x.trigger_id, x.webhook_id }));
        migrationBuilder.CreateIndex("IX_trigger_calls_created_at", "trigger_calls", "created_at");
    }
}
