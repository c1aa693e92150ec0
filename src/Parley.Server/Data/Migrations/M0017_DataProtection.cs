using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Parley.Server.Data.Migrations;

/// <summary>The data-protection key ring (the dashboard's antiforgery tokens), shared by every node.</summary>
[DbContext(typeof(ParleyDb))]
[Migration("0017_DataProtection")]
internal sealed class M0017_DataProtection : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "data_protection_keys",
            columns: t => new
            {
                id = t.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                friendly_name = t.Column<string>(nullable: true),
                xml = t.Column<string>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_data_protection_keys", x => x.id));
    }
}
