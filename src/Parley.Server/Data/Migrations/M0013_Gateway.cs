using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0013_Gateway")]
internal sealed class M0013_Gateway : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "vault_entries",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                host_pattern = t.Column<string>(nullable: false),
                path_pattern = t.Column<string>(nullable: false),
                injection = t.Column<string>(nullable: false),
                value = t.Column<byte[]>(nullable: false),
                value_last4 = t.Column<string>(nullable: false),
                agent_ids = t.Column<string>(nullable: true),
                created_by = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_vault_entries", x => x.id));
        migrationBuilder.CreateIndex("IX_vault_entries_workspace_id_host_pattern_path_pattern", "vault_entries",
            ["workspace_id", "host_pattern", "path_pattern"], unique: true);

        migrationBuilder.CreateTable(
            name: "gateway_rules",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                host_pattern = t.Column<string>(nullable: false),
                path_pattern = t.Column<string>(nullable: false),
                method = t.Column<string>(nullable: true),
                agent_id = t.Column<string>(nullable: true),
                action = t.Column<string>(nullable: false),
                rate_limit = t.Column<long>(nullable: true),
                rate_limit_window = t.Column<string>(nullable: true),
                enabled = t.Column<bool>(nullable: false),
                present_identity = t.Column<bool>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_gateway_rules", x => x.id));
        migrationBuilder.CreateIndex("IX_gateway_rules_workspace_id", "gateway_rules", "workspace_id");

        migrationBuilder.CreateTable(
            name: "gateway_settings",
            columns: t => new
            {
                workspace_id = t.Column<string>(nullable: false),
                policy_mode = t.Column<string>(nullable: false),
                per_domain_per_minute = t.Column<int>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_gateway_settings", x => x.workspace_id));

        migrationBuilder.CreateTable(
            name: "gateway_windows",
            columns: t => new
            {
                key = t.Column<string>(nullable: false),
                window_start = t.Column<long>(nullable: false),
                count = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_gateway_windows", x => new { x.key, x.window_start }));
        migrationBuilder.CreateIndex("IX_gateway_windows_expires_at", "gateway_windows", "expires_at");

        migrationBuilder.CreateTable(
            name: "gateway_log",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                method = t.Column<string>(nullable: false),
                host = t.Column<string>(nullable: false),
                path = t.Column<string>(nullable: false),
                status = t.Column<int>(nullable: true),
                duration_ms = t.Column<long>(nullable: true),
                decision = t.Column<string>(nullable: false),
                rule_id = t.Column<string>(nullable: true),
                approval_id = t.Column<string>(nullable: true),
                injected = t.Column<string>(nullable: false),
                bytes_out = t.Column<long>(nullable: false),
                bytes_in = t.Column<long>(nullable: false),
                error_code = t.Column<string>(nullable: true),
                via = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_gateway_log", x => x.id));
        migrationBuilder.CreateIndex("IX_gateway_log_workspace_id_id", "gateway_log", ["workspace_id", "id"]);
        migrationBuilder.CreateIndex("IX_gateway_log_created_at", "gateway_log", "created_at");

        migrationBuilder.CreateTable(
            name: "approvals",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                method = t.Column<string>(nullable: false),
                url = t.Column<string>(nullable: false),
                host = t.Column<string>(nullable: false),
                path = t.Column<string>(nullable: false),
                body_preview = t.Column<string>(nullable: true),
                rule_id = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                decided_by = t.Column<string>(nullable: true),
                decided_at = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_approvals", x => x.id));
        migrationBuilder.CreateIndex("IX_approvals_workspace_id_status", "approvals", ["workspace_id", "status"]);
        migrationBuilder.CreateIndex("IX_approvals_status_expires_at", "approvals", ["status", "expires_at"]);
    }
}
