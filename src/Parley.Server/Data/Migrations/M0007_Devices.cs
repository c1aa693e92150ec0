using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0007_Devices")]
internal sealed class M0007_Devices : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "devices",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                platform = t.Column<string>(nullable: false),
                created_by = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                token_id = t.Column<string>(nullable: true),
                token_hash = t.Column<byte[]>(nullable: true),
                hosts = t.Column<string>(nullable: false),
                listener_version = t.Column<string>(nullable: true),
                last_seen_at = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
                revoked_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_devices", x => x.id));
        migrationBuilder.CreateIndex("IX_devices_workspace_id", "devices", "workspace_id");
        migrationBuilder.CreateIndex("IX_devices_token_id", "devices", "token_id", unique: true);

        migrationBuilder.CreateTable(
            name: "device_bindings",
            columns: t => new
            {
                device_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                host = t.Column<string>(nullable: false),
                constrained_capable = t.Column<bool>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_device_bindings", x => new { x.device_id, x.agent_id }));
        migrationBuilder.CreateIndex("IX_device_bindings_agent_id", "device_bindings", "agent_id");

        migrationBuilder.CreateTable(
            name: "device_sessions",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                device_id = t.Column<string>(nullable: false),
                node_id = t.Column<string>(nullable: false),
                seen_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_device_sessions", x => x.id));
        migrationBuilder.CreateIndex("IX_device_sessions_device_id", "device_sessions", "device_id");
        migrationBuilder.CreateIndex("IX_device_sessions_node_id", "device_sessions", "node_id");

        migrationBuilder.CreateTable(
            name: "device_pairings",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                device_code_hash = t.Column<byte[]>(nullable: false),
                user_code = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                platform = t.Column<string>(nullable: false),
                hosts = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                device_id = t.Column<string>(nullable: true),
                last_polled_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_device_pairings", x => x.id));
        migrationBuilder.CreateIndex("IX_device_pairings_user_code", "device_pairings", "user_code", unique: true);
        migrationBuilder.CreateIndex("IX_device_pairings_device_code_hash", "device_pairings", "device_code_hash", unique: true);
        migrationBuilder.CreateIndex("IX_device_pairings_expires_at", "device_pairings", "expires_at");
    }
}
