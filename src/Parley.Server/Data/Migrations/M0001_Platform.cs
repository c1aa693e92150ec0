using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

/// <summary>
/// Hand-written migrations (EF Core's design-time tooling is not available offline). Columns are declared by CLR type
/// so each provider picks its own store type, exactly as the model does; <c>SchemaMatchesModel</c> tests check that
/// the migrated schema and the model agree on both providers.
/// </summary>
[DbContext(typeof(ParleyDb))]
[Migration("0001_Platform")]
internal sealed class M0001_Platform : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "idempotency_records",
            columns: t => new
            {
                scope = t.Column<string>(nullable: false),
                key = t.Column<string>(nullable: false),
                fingerprint = t.Column<string>(nullable: false),
                state = t.Column<string>(nullable: false),
                claim_id = t.Column<string>(nullable: true),
                locked_until = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                response_status = t.Column<int>(nullable: true),
                response = t.Column<byte[]>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_idempotency_records", x => new { x.scope, x.key }));
        migrationBuilder.CreateIndex("IX_idempotency_records_expires_at", "idempotency_records", "expires_at");

        migrationBuilder.CreateTable(
            name: "files",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                purpose = t.Column<string>(nullable: false),
                quota_owner = t.Column<string>(nullable: false),
                created_by = t.Column<string>(nullable: false),
                filename = t.Column<string>(nullable: true),
                content_type = t.Column<string>(nullable: false),
                size_bytes = t.Column<long>(nullable: false),
                sha256 = t.Column<string>(nullable: false),
                status = t.Column<string>(nullable: false),
                upload_claimed = t.Column<bool>(nullable: false),
                upload_expires_at = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
                updated_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_files", x => x.id));
        migrationBuilder.CreateIndex("IX_files_quota_owner_status", "files", ["quota_owner", "status"]);
        migrationBuilder.CreateIndex("IX_files_status_updated_at", "files", ["status", "updated_at"]);

        migrationBuilder.CreateTable(
            name: "job_leases",
            columns: t => new
            {
                name = t.Column<string>(nullable: false),
                holder = t.Column<string>(nullable: false),
                lease_until = t.Column<long>(nullable: false),
                last_run_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_job_leases", x => x.name));
    }
}
