using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0005_Rooms")]
internal sealed class M0005_Rooms : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "rooms",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                topic = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                kind = t.Column<string>(nullable: false),
                owner_workspace_id = t.Column<string>(nullable: false),
                created_by = t.Column<string>(nullable: false),
                paused_at = t.Column<long>(nullable: true),
                last_seq = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_rooms", x => x.id));
        migrationBuilder.CreateIndex("IX_rooms_owner_workspace_id", "rooms", "owner_workspace_id");

        migrationBuilder.CreateTable(
            name: "room_members",
            columns: t => new
            {
                room_id = t.Column<string>(nullable: false),
                member_id = t.Column<string>(nullable: false),
                kind = t.Column<string>(nullable: false),
                role = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: true),
                added_by = t.Column<string>(nullable: false),
                joined_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_room_members", x => new { x.room_id, x.member_id }));
        migrationBuilder.CreateIndex("IX_room_members_member_id", "room_members", "member_id");

        migrationBuilder.CreateTable(
            name: "room_grants",
            columns: t => new
            {
                room_id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                granted_by = t.Column<string>(nullable: false),
                granted_at = t.Column<long>(nullable: false),
                revoked_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_room_grants", x => new { x.room_id, x.workspace_id }));

        migrationBuilder.CreateTable(
            name: "room_consents",
            columns: t => new
            {
                room_id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                mode = t.Column<string>(nullable: false),
                collaborator_workspace_id = t.Column<string>(nullable: true),
                updated_by = t.Column<string>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_room_consents", x => new { x.room_id, x.workspace_id }));

        migrationBuilder.CreateTable(
            name: "room_invites",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                room_id = t.Column<string>(nullable: false),
                kind = t.Column<string>(nullable: false),
                target = t.Column<string>(nullable: false),
                target_agent_id = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                invited_by = t.Column<string>(nullable: false),
                decided_by = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
                decided_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_room_invites", x => x.id));
        migrationBuilder.CreateIndex("IX_room_invites_target_status", "room_invites", ["target", "status"]);
        migrationBuilder.CreateIndex("IX_room_invites_room_id", "room_invites", "room_id");
        migrationBuilder.CreateIndex("IX_room_invites_expires_at", "room_invites", "expires_at");

        migrationBuilder.CreateTable(
            name: "room_messages",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                room_id = t.Column<string>(nullable: false),
                seq = t.Column<long>(nullable: false),
                sender_id = t.Column<string>(nullable: false),
                body = t.Column<string>(nullable: false),
                mentions = t.Column<string>(nullable: true),
                parent_id = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_room_messages", x => x.id));
        migrationBuilder.CreateIndex("IX_room_messages_room_id_seq", "room_messages", ["room_id", "seq"], unique: true);

        migrationBuilder.CreateTable(
            name: "mentions",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                room_id = t.Column<string>(nullable: false),
                message_id = t.Column<string>(nullable: false),
                seq = t.Column<long>(nullable: false),
                sender_id = t.Column<string>(nullable: false),
                excerpt = t.Column<string>(nullable: false),
                task_id = t.Column<string>(nullable: true),
                acked_at = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_mentions", x => x.id));
        migrationBuilder.CreateIndex("IX_mentions_agent_id_room_id_seq", "mentions", ["agent_id", "room_id", "seq"]);

        migrationBuilder.CreateTable(
            name: "tasks",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                room_id = t.Column<string>(nullable: false),
                title = t.Column<string>(nullable: false),
                detail = t.Column<string>(nullable: true),
                definition_of_done = t.Column<string>(nullable: true),
                assignee_id = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                consent = t.Column<string>(nullable: false),
                position = t.Column<long>(nullable: false),
                generation = t.Column<long>(nullable: false),
                holder_id = t.Column<string>(nullable: true),
                holder_instance = t.Column<string>(nullable: true),
                claim_token_hash = t.Column<byte[]>(nullable: true),
                lease_ttl_seconds = t.Column<int>(nullable: false),
                expires_at = t.Column<long>(nullable: true),
                grace_until = t.Column<long>(nullable: true),
                result = t.Column<string>(nullable: true),
                created_by = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_tasks", x => x.id));
        migrationBuilder.CreateIndex("IX_tasks_room_id_position", "tasks", ["room_id", "position"]);
        migrationBuilder.CreateIndex("IX_tasks_grace_until", "tasks", "grace_until");
        migrationBuilder.CreateIndex("IX_tasks_assignee_id", "tasks", "assignee_id");
        migrationBuilder.CreateIndex("IX_tasks_holder_id", "tasks", "holder_id");

        migrationBuilder.CreateTable(
            name: "task_events",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                task_id = t.Column<string>(nullable: false),
                room_id = t.Column<string>(nullable: false),
                type = t.Column<string>(nullable: false),
                actor_id = t.Column<string>(nullable: true),
                details = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_task_events", x => x.id));
        migrationBuilder.CreateIndex("IX_task_events_task_id", "task_events", "task_id");

        migrationBuilder.CreateTable(
            name: "room_files",
            columns: t => new
            {
                room_id = t.Column<string>(nullable: false),
                path = t.Column<string>(nullable: false),
                version = t.Column<long>(nullable: false),
                file_id = t.Column<string>(nullable: false),
                updated_by = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_room_files", x => new { x.room_id, x.path, x.version }));
        migrationBuilder.CreateIndex("IX_room_files_file_id", "room_files", "file_id", unique: true);
    }
}
