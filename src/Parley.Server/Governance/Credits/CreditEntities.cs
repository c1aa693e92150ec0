using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Governance.Credits;

// Amounts are stored as whole micro-credits (1 credit = 1,000,000), so sums and comparisons are exact in SQL on both
// providers; the wire shows credits as decimals (CreditAmount).

/// <summary>
/// Credits a workspace holds from one grant or one month's allocation, with what is left of them. Spending takes the
/// soonest-expiring lots first; a lot past <c>expires_at</c> is expired (written off in the ledger) before any credit
/// operation of its workspace.
/// </summary>
internal sealed class CreditLot
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }

    /// <summary><c>grant</c> or <c>monthly</c>.</summary>
    public required string Source { get; set; }

    public long Amount { get; set; }
    public long Remaining { get; set; }
    public long? ExpiresAt { get; set; }

    /// <summary>The month (<c>yyyy-MM</c>) of a monthly allocation: one per workspace and month.</summary>
    public string? Period { get; set; }

    public long CreatedAt { get; set; }
}

/// <summary>One append-only ledger entry; the latest entry's <c>balance_after</c> is the balance.</summary>
internal sealed class CreditLedgerEntry
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public long Delta { get; set; }
    public required string Source { get; set; }
    public string? Reason { get; set; }
    public long? ExpiresAt { get; set; }
    public long BalanceAfter { get; set; }
    public string? Ref { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>How much of a debit came from which lot, so a refund returns credits to the lots they came from.</summary>
internal sealed class CreditSpend
{
    public required string LedgerId { get; set; }
    public required string LotId { get; set; }
    public long Amount { get; set; }
}

/// <summary>A debit made as a reservation, awaiting its settlement (once).</summary>
internal sealed class CreditReservation
{
    public required string LedgerId { get; set; }
    public required string WorkspaceId { get; set; }
    public long Amount { get; set; }
    public long? SettledAt { get; set; }
}

internal sealed class CreditLotConfiguration : IEntityTypeConfiguration<CreditLot>
{
    public void Configure(EntityTypeBuilder<CreditLot> builder)
    {
        builder.ToTable("credit_lots");
        builder.HasKey(l => l.Id);
        builder.HasIndex(l => l.WorkspaceId);
        builder.HasIndex(l => new { l.WorkspaceId, l.Period }).IsUnique();
        builder.HasIndex(l => new { l.Remaining, l.ExpiresAt });
    }
}

internal sealed class CreditLedgerEntryConfiguration : IEntityTypeConfiguration<CreditLedgerEntry>
{
    public void Configure(EntityTypeBuilder<CreditLedgerEntry> builder)
    {
        builder.ToTable("credit_ledger");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.WorkspaceId, e.Id });
    }
}

internal sealed class CreditSpendConfiguration : IEntityTypeConfiguration<CreditSpend>
{
    public void Configure(EntityTypeBuilder<CreditSpend> builder)
    {
        builder.ToTable("credit_spends");
        builder.HasKey(s => new { s.LedgerId, s.LotId });
    }
}

internal sealed class CreditReservationConfiguration : IEntityTypeConfiguration<CreditReservation>
{
    public void Configure(EntityTypeBuilder<CreditReservation> builder)
    {
        builder.ToTable("credit_reservations");
        builder.HasKey(r => r.LedgerId);
    }
}
