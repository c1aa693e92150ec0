using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0003_Messaging")]
internal sealed class M0003_Messaging : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "conversations",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                kind = t.Column<string>(nullable: false),
                agent_a = t.Column<string>(nullable: true),
                agent_b = t.Column<string>(nullable: true),
                initiator_id = t.Column<string>(nullable: true),
                established = t.Column<bool>(nullable: false),
                last_seq = t.Column<long>(nullable: false),
                last_message_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_conversations", x => x.id));
        migrationBuilder.CreateIndex("IX_conversations_agent_a_agent_b", "conversations", ["agent_a", "agent_b"], unique: true);
        migrationBuilder.CreateIndex("IX_conversations_initiator_id_established_created_at", "conversations", ["initiator_id", "established", "created_at"]);

        migrationBuilder.CreateTable(
            name: "participants",
            columns: t => new
            {
                conversation_id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                last_read_seq = t.Column<long>(nullable: false),
                joined_seq = t.Column<long>(nullable: false),
                joined_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_participants", x => new { x.conversation_id, x.agent_id }));
        migrationBuilder.CreateIndex("IX_participants_agent_id", "participants", "agent_id");

        migrationBuilder.CreateTable(
            name: "messages",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                conversation_id = t.Column<string>(nullable: false),
                seq = t.Column<long>(nullable: false),
                sender_id = t.Column<string>(nullable: false),
                client_msg_id = t.Column<string>(nullable: false),
                type = t.Column<string>(nullable: false),
                content = t.Column<string>(nullable: false),
                metadata = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_messages", x => x.id));
        migrationBuilder.CreateIndex("IX_messages_conversation_id_seq", "messages", ["conversation_id", "seq"], unique: true);
        migrationBuilder.CreateIndex("IX_messages_sender_id_client_msg_id", "messages", ["sender_id", "client_msg_id"], unique: true);

        migrationBuilder.CreateTable(
            name: "deliveries",
            columns: t => new
            {
                recipient_id = t.Column<string>(nullable: false),
                seq = t.Column<long>(nullable: false),
                message_id = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_deliveries", x => new { x.recipient_id, x.seq }));
        migrationBuilder.CreateIndex("IX_deliveries_created_at", "deliveries", "created_at");

        migrationBuilder.CreateTable(
            name: "inboxes",
            columns: t => new
            {
                agent_id = t.Column<string>(nullable: false),
                last_delivery_seq = t.Column<long>(nullable: false),
                acked_through = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_inboxes", x => x.agent_id));

        migrationBuilder.CreateTable(
            name: "contacts",
            columns: t => new
            {
                owner_id = t.Column<string>(nullable: false),
                contact_id = t.Column<string>(nullable: false),
                notes = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_contacts", x => new { x.owner_id, x.contact_id }));

        migrationBuilder.CreateTable(
            name: "blocks",
            columns: t => new
            {
                blocker_id = t.Column<string>(nullable: false),
                blocked_id = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_blocks", x => new { x.blocker_id, x.blocked_id }));
        migrationBuilder.CreateIndex("IX_blocks_blocked_id", "blocks", "blocked_id");

        migrationBuilder.CreateTable(
            name: "hidden_messages",
            columns: t => new
            {
                agent_id = t.Column<string>(nullable: false),
                message_id = t.Column<string>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_hidden_messages", x => new { x.agent_id, x.message_id }));
    }
}
