using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0016_Sessions")]
internal sealed class M0016_Sessions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "model_providers",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                base_url = t.Column<string>(nullable: false),
                models = t.Column<string>(nullable: false),
                default_model = t.Column<string>(nullable: false),
                key_entry_id = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_model_providers", x => x.id));
        migrationBuilder.CreateIndex("IX_model_providers_workspace_id", "model_providers", "workspace_id");

        migrationBuilder.CreateTable(
            name: "chat_sessions",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                created_by = t.Column<string>(nullable: false),
                provider_id = t.Column<string>(nullable: false),
                model = t.Column<string>(nullable: false),
                system = t.Column<string>(nullable: true),
                sites = t.Column<string>(nullable: false),
                max_tool_rounds = t.Column<int>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                last_message_at = t.Column<long>(nullable: false),
                answering_since = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_chat_sessions", x => x.id));
        migrationBuilder.CreateIndex("IX_chat_sessions_workspace_id", "chat_sessions", "workspace_id");

        migrationBuilder.CreateTable(
            name: "chat_messages",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                session_id = t.Column<string>(nullable: false),
                role = t.Column<string>(nullable: false),
                content = t.Column<string>(nullable: false),
                tool_calls = t.Column<string>(nullable: true),
                tool_call_id = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                error_code = t.Column<string>(nullable: true),
                input_tokens = t.Column<long>(nullable: true),
                output_tokens = t.Column<long>(nullable: true),
                credit_micros = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_chat_messages", x => x.id));
        migrationBuilder.CreateIndex("IX_chat_messages_session_id_id", "chat_messages", ["session_id", "id"]);
    }
}
