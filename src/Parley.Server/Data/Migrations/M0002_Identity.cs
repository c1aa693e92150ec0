using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0002_Identity")]
internal sealed class M0002_Identity : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "accounts",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                email = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                password_hash = t.Column<string>(nullable: false),
                email_verified = t.Column<bool>(nullable: false),
                terms_accepted = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_accounts", x => x.id));
        migrationBuilder.CreateIndex("IX_accounts_email", "accounts", "email", unique: true);

        migrationBuilder.CreateTable(
            name: "sessions",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                account_id = t.Column<string>(nullable: false),
                refresh_hash = t.Column<byte[]>(nullable: false),
                previous_refresh_hash = t.Column<byte[]>(nullable: true),
                rotated_at = t.Column<long>(nullable: false),
                grace_response = t.Column<byte[]>(nullable: true),
                expires_at = t.Column<long>(nullable: false),
                revoked_at = t.Column<long>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_sessions", x => x.id));
        migrationBuilder.CreateIndex("IX_sessions_account_id", "sessions", "account_id");

        migrationBuilder.CreateTable(
            name: "personal_access_tokens",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                account_id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                secret_hash = t.Column<byte[]>(nullable: false),
                last4 = t.Column<string>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                last_used_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_personal_access_tokens", x => x.id));
        migrationBuilder.CreateIndex("IX_personal_access_tokens_account_id", "personal_access_tokens", "account_id");

        migrationBuilder.CreateTable(
            name: "workspaces",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: false),
                plan = t.Column<string>(nullable: false),
                owner_account_id = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_workspaces", x => x.id));

        migrationBuilder.CreateTable(
            name: "workspace_members",
            columns: t => new
            {
                workspace_id = t.Column<string>(nullable: false),
                account_id = t.Column<string>(nullable: false),
                role = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_workspace_members", x => new { x.workspace_id, x.account_id }));
        migrationBuilder.CreateIndex("IX_workspace_members_account_id", "workspace_members", "account_id");

        migrationBuilder.CreateTable(
            name: "workspace_invites",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                email = t.Column<string>(nullable: false),
                role = t.Column<string>(nullable: false),
                invited_by = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_workspace_invites", x => x.id));
        migrationBuilder.CreateIndex("IX_workspace_invites_email_status", "workspace_invites", ["email", "status"]);
        migrationBuilder.CreateIndex("IX_workspace_invites_workspace_id", "workspace_invites", "workspace_id");

        migrationBuilder.CreateTable(
            name: "agents",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                handle = t.Column<string>(nullable: false),
                plate = t.Column<string>(nullable: false),
                display_name = t.Column<string>(nullable: true),
                description = t.Column<string>(nullable: true),
                owner_workspace_id = t.Column<string>(nullable: true),
                registered_email = t.Column<string>(nullable: true),
                status = t.Column<string>(nullable: false),
                status_reason = t.Column<string>(nullable: true),
                paused = t.Column<string>(nullable: false),
                inbox_mode = t.Column<string>(nullable: false),
                group_invite_policy = t.Column<string>(nullable: false),
                listed = t.Column<bool>(nullable: false),
                is_default = t.Column<bool>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_agents", x => x.id));
        migrationBuilder.CreateIndex("IX_agents_handle", "agents", "handle", unique: true);
        migrationBuilder.CreateIndex("IX_agents_plate", "agents", "plate", unique: true);
        migrationBuilder.CreateIndex("IX_agents_owner_workspace_id", "agents", "owner_workspace_id");
        migrationBuilder.CreateIndex("IX_agents_registered_email", "agents", "registered_email");

        migrationBuilder.CreateTable(
            name: "api_keys",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                kind = t.Column<string>(nullable: false),
                name = t.Column<string>(nullable: true),
                scopes = t.Column<string>(nullable: false),
                secret_hash = t.Column<byte[]>(nullable: false),
                last4 = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                last_used_at = t.Column<long>(nullable: true),
                revoked_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_api_keys", x => x.id));
        migrationBuilder.CreateIndex("IX_api_keys_agent_id", "api_keys", "agent_id");

        migrationBuilder.CreateTable(
            name: "agent_notices",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                type = t.Column<string>(nullable: false),
                payload = t.Column<string>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_agent_notices", x => x.id));
        migrationBuilder.CreateIndex("IX_agent_notices_agent_id_created_at", "agent_notices", ["agent_id", "created_at"]);

        migrationBuilder.CreateTable(
            name: "pending_codes",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                purpose = t.Column<string>(nullable: false),
                email = t.Column<string>(nullable: false),
                code_hash = t.Column<byte[]>(nullable: false),
                attempts = t.Column<int>(nullable: false),
                payload = t.Column<string>(nullable: false),
                deliverable = t.Column<bool>(nullable: false),
                consumed = t.Column<bool>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                last_sent_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_pending_codes", x => x.id));
        migrationBuilder.CreateIndex("IX_pending_codes_email_purpose", "pending_codes", ["email", "purpose"]);

        migrationBuilder.CreateTable(
            name: "claim_failures",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                agent_id = t.Column<string>(nullable: false),
                at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_claim_failures", x => x.id));
        migrationBuilder.CreateIndex("IX_claim_failures_agent_id_at", "claim_failures", ["agent_id", "at"]);

        migrationBuilder.CreateTable(
            name: "signing_keys",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                private_key = t.Column<byte[]>(nullable: false),
                public_jwk = t.Column<string>(nullable: false),
                active = t.Column<bool>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_signing_keys", x => x.id));
    }
}
