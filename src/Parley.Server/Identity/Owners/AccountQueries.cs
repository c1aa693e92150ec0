using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;

namespace Parley.Server.Identity.Owners;

/// <summary>Accounts as the rest of the server reads them.</summary>
internal static class AccountQueries
{
    /// <summary>The names of these accounts, by id.</summary>
    public static async Task<Dictionary<string, string>> NamesAsync(ParleyDb db, IEnumerable<string> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : await db.Accounts.AsNoTracking().Where(a => distinct.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, StringComparer.Ordinal, ct);
    }
}
