using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0006_Governance")]
internal sealed class M0006_Governance : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "usage_days",
            columns: t => new
            {
                workspace_id = t.Column<string>(nullable: false),
                meter = t.Column<string>(nullable: false),
                day = t.Column<string>(nullable: false),
                shard = t.Column<int>(nullable: false),
                count = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_usage_days", x => new { x.workspace_id, x.meter, x.day, x.shard }));

        migrationBuilder.CreateTable(
            name: "usage_thresholds",
            columns: t => new
            {
                workspace_id = t.Column<string>(nullable: false),
                meter = t.Column<string>(nullable: false),
                period = t.Column<string>(nullable: false),
                percent = t.Column<int>(nullable: false),
                count = t.Column<long>(nullable: false),
                quota = t.Column<long>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_usage_thresholds", x => new { x.workspace_id, x.meter, x.period, x.percent }));
        migrationBuilder.CreateIndex("IX_usage_thresholds_workspace_id_created_at", "usage_thresholds", ["workspace_id", "created_at"]);

        migrationBuilder.CreateTable(
            name: "credit_lots",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                source = t.Column<string>(nullable: false),
                amount = t.Column<long>(nullable: false),
                remaining = t.Column<long>(nullable: false),
                expires_at = t.Column<long>(nullable: true),
                period = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_credit_lots", x => x.id));
        migrationBuilder.CreateIndex("IX_credit_lots_workspace_id", "credit_lots", "workspace_id");
        migrationBuilder.CreateIndex("IX_credit_lots_workspace_id_period", "credit_lots", ["workspace_id", "period"], unique: true);
        migrationBuilder.CreateIndex("IX_credit_lots_remaining_expires_at", "credit_lots", ["remaining", "expires_at"]);

        migrationBuilder.CreateTable(
            name: "credit_ledger",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                delta = t.Column<long>(nullable: false),
                source = t.Column<string>(nullable: false),
                reason = t.Column<string>(nullable: true),
                expires_at = t.Column<long>(nullable: true),
                balance_after = t.Column<long>(nullable: false),
                @ref = t.Column<string>(nullable: true),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_credit_ledger", x => x.id));
        migrationBuilder.CreateIndex("IX_credit_ledger_workspace_id_id", "credit_ledger", ["workspace_id", "id"]);

        migrationBuilder.CreateTable(
            name: "credit_spends",
            columns: t => new
            {
                ledger_id = t.Column<string>(nullable: false),
                lot_id = t.Column<string>(nullable: false),
                amount = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_credit_spends", x => new { x.ledger_id, x.lot_id }));

        migrationBuilder.CreateTable(
            name: "credit_reservations",
            columns: t => new
            {
                ledger_id = t.Column<string>(nullable: false),
                workspace_id = t.Column<string>(nullable: false),
                amount = t.Column<long>(nullable: false),
                settled_at = t.Column<long>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_credit_reservations", x => x.ledger_id));
    }
}
