using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Validation;

/// <summary>
/// <c>limit</c> (default 50, at most 200) and an opaque <c>cursor</c>: the id of the last item of the previous page.
/// Ids sort by creation time, so keyset pages are stable while rows are added.
/// </summary>
internal readonly record struct Paging(int Limit, string? After)
{
    public const int MaxLimit = 200;

    public static Paging From(int? limit, string? cursor, int defaultLimit = 50, int maxLimit = MaxLimit)
    {
        if (limit is { } l && (l < 1 || l > maxLimit))
        {
            throw ApiErrors.Validation("limit", $"must be between 1 and {maxLimit}");
        }
        string? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            try
            {
                after = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            }
            catch (FormatException)
            {
                throw ApiErrors.Validation("cursor", "is not a cursor this server gave");
            }
        }
        return new Paging(limit ?? defaultLimit, after);
    }

    /// <summary>The next cursor when a page came back full (the query fetched <c>Limit + 1</c> rows).</summary>
    public (IReadOnlyList<T> Items, string? Next) Cut<T>(IReadOnlyList<T> fetched, Func<T, string> id) =>
        fetched.Count > Limit
            ? ([.. fetched.Take(Limit)], Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(id(fetched[Limit - 1]))))
            : (fetched, null);
}

/// <summary>
/// Lists ordered by a sequence (conversation history, a room's thread): <c>limit</c> (1–200), and at most one of
/// <c>before_seq</c> and <c>after_seq</c>, each a sequence number (0 or more).
/// </summary>
internal static class SeqWindow
{
    public static int Validate(int? limit, long? beforeSeq, long? afterSeq)
    {
        var v = new Validator();
        if (beforeSeq is not null && afterSeq is not null)
        {
            v.Add("before_seq", "give at most one of before_seq and after_seq");
        }
        v.Range("before_seq", beforeSeq, 0, long.MaxValue);
        v.Range("after_seq", afterSeq, 0, long.MaxValue);
        v.Range("limit", limit, 1, Paging.MaxLimit);
        v.ThrowIfInvalid();
        return limit ?? 50;
    }
}
