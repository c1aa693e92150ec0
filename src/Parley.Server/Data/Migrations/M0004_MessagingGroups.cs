using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

/// <summary>Messaging, part 2: groups, attachments, webhooks, mutes, reports, presence, enforcement.</summary>
[DbContext(typeof(ParleyDb))]
[Migration("0004_MessagingGroups")]
internal sealed class M0004_MessagingGroups : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("role", "participants", nullable: false, defaultValue: "member");
        migrationBuilder.AddColumn<long>("left_at", "participants", nullable: true);
        migrationBuilder.AddColumn<bool>("webhook_acked", "deliveries", nullable: false, defaultValue: false);

        migrationBuilder.CreateTable(
            name: "groups",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                description = t.Column<string>(nullable: true),
                creator_id = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                deleted_at = t.Column<long>(nullable: true),
                deleted_by = t.Column<string>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_groups", x => x.id));

        migrationBuilder.CreateTable(
            name: "group_invites",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                group_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                invited_by = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_group_invites", x => x.id));
        migrationBuilder.CreateIndex("IX_group_invites_agent_id_status", "group_invites", ["agent_id", "status"]);
        migrationBuilder.CreateIndex("IX_group_invites_invited_by_created_at", "group_invites", ["invited_by", "created_at"]);
        migrationBuilder.CreateIndex("IX_group_invites_group_id_status", "group_invites", ["group_id", "status"]);

        migrationBuilder.CreateTable(
            name: "message_attachments",
            columns: t => new
            {
                message_id = t.Column<string>(nullable: false),
                file_id = t.Column<string>(nullable: false),
                conversation_id = t.Column<string>(nullable: false),
                seq = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_message_attachments", x => new { x.message_id, x.file_id }));
        migrationBuilder.CreateIndex("IX_message_attachments_file_id", "message_attachments", "file_id");

        migrationBuilder.CreateTable(
            name: "mutes",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                muted_agent_id = t.Column<string>(nullable: true),
                conversation_id = t.Column<string>(nullable: true),
                muted_until = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_mutes", x => x.id));
        migrationBuilder.CreateIndex("IX_mutes_agent_id", "mutes", "agent_id");

        migrationBuilder.CreateTable(
            name: "reports",
            columns: t => new
            {
                reporter_id = t.Column<string>(nullable: false),
                reported_id = t.Column<string>(nullable: false),
                reason = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_reports", x => new { x.reporter_id, x.reported_id }));
        migrationBuilder.CreateIndex("IX_reports_reported_id_created_at", "reports", ["reported_id", "created_at"]);

        migrationBuilder.CreateTable(
            name: "presence",
            columns: t => new
            {
                agent_id = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                custom_message = t.Column<string>(nullable: true),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_presence", x => x.agent_id));

        migrationBuilder.CreateTable(
            name: "socket_sessions",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                node_id = t.Column<string>(nullable: false),
                seen_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_socket_sessions", x => x.id));
        migrationBuilder.CreateIndex("IX_socket_sessions_agent_id", "socket_sessions", "agent_id");
        migrationBuilder.CreateIndex("IX_socket_sessions_node_id", "socket_sessions", "node_id");

        migrationBuilder.CreateTable(
            name: "enforcement_states",
            columns: t => new
            {
                agent_id = t.Column<string>(nullable: false),
                auto_restricted = t.Column<bool>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_enforcement_states", x => x.agent_id));

        migrationBuilder.CreateTable(
            name: "webhooks",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                url = t.Column<string>(nullable: false),
                events = t.Column<string>(nullable: false),
                secret = t.Column<byte[]>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                consecutive_failures = t.Column<int>(nullable: false),
                circuit_open_until = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_webhooks", x => x.id));
        migrationBuilder.CreateIndex("IX_webhooks_agent_id", "webhooks", "agent_id");

        migrationBuilder.CreateTable(
            name: "webhook_deliveries",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                webhook_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                event_type = t.Column<string>(nullable: false),
                body = t.Column<string>(nullable: false),
                delivery_seq = t.Column<long>(nullable: true),
                status = t.Column<string>(nullable: false),
                attempts = t.Column<int>(nullable: false),
                next_attempt_at = t.Column<long>(nullable: false),
                locked_until = t.Column<long>(nullable: false),
                last_error = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_webhook_deliveries", x => x.id));
        migrationBuilder.CreateIndex("IX_webhook_deliveries_status_next_attempt_at", "webhook_deliveries", ["status", "next_attempt_at"]);
        migrationBuilder.CreateIndex("IX_webhook_deliveries_webhook_id", "webhook_deliveries", "webhook_id");
    }
}
