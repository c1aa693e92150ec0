using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Parley.Server.Data.Migrations;

[DbContext(typeof(ParleyDb))]
[Migration("0014_GatewayCa")]
internal sealed class M0014_GatewayCa : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateTable(
            name: "gateway_ca",
            columns: t => new
            {
                id = t.Column<string>(nullable: false),
                certificate = t.Column<byte[]>(nullable: false),
                private_key = t.Column<byte[]>(nullable: false),
                created_at = t.Column<long>(nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_gateway_ca", x => x.id));
}
