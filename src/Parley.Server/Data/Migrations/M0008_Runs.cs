using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0008_Runs")]
internal sealed class M0008_Runs : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "runs",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                reason = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                failure_reason = t.Column<string>(nullable: true),
                exit_code = t.Column<int>(nullable: true),
                summary = t.Column<string>(nullable: true),
                output_tail = t.Column<string>(nullable: true),
                room_id = t.Column<string>(nullable: true),
                task_id = t.Column<string>(nullable: true),
                mention_id = t.Column<string>(nullable: true),
                message_id = t.Column<string>(nullable: true),
                hook_id = t.Column<string>(nullable: true),
                schedule_id = t.Column<string>(nullable: true),
                input = t.Column<string>(nullable: true),
                prompt = t.Column<string>(nullable: true),
                cross_owner = t.Column<bool>(nullable: false),
                constrained = t.Column<bool>(nullable: false),
                device_id = t.Column<string>(nullable: true),
                wake_id = t.Column<string>(nullable: true),
                wake_acked_at = t.Column<long>(nullable: true),
                passport_expires_at = t.Column<long>(nullable: true),
                requested_by = t.Column<string>(nullable: false),
                credit_reservation = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
                dispatched_at = t.Column<long>(nullable: true),
                started_at = t.Column<long>(nullable: true),
                heartbeat_at = t.Column<long>(nullable: true),
                ended_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_runs", x => x.id));
        migrationBuilder.CreateIndex("IX_runs_agent_id_active", "runs", "agent_id", unique: true, filter: RunConfiguration.ActiveFilter);
        migrationBuilder.CreateIndex("IX_runs_workspace_id_id", "runs", ["workspace_id", "id"]);
        migrationBuilder.CreateIndex("IX_runs_status_created_at", "runs", ["status", "created_at"]);
        migrationBuilder.CreateIndex("IX_runs_device_id_status", "runs", ["device_id", "status"]);
    }
}
