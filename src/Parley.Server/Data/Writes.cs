namespace Parley.Server.Data;

/// <summary>
/// The one way to write. <see cref="RunAsync{T}"/> runs an action in a write transaction (SQLite: a turn in a group
/// that holds the write lock and commits together, see <see cref="SqliteGroupCommit"/>; PostgreSQL: READ COMMITTED
/// plus the advisory locks the action takes with <see cref="LockAsync"/>), saves, and commits.
/// <para>
/// When the request carries an <c>Idempotency-Key</c>, the commit is deferred: every write of the request joins one
/// transaction, which the idempotency middleware commits together with the stored response. A crash can then never
/// leave an action done but unrecorded. Work that must follow the commit (notifications, mail) goes through
/// <see cref="AfterCommit"/>, so it never announces a write that was rolled back.
/// </para>
/// </summary>
internal sealed class Writes(ParleyDb db, DatabaseProvider provider, IServiceScopeFactory scopes, ILogger<Writes> logger) : IAsyncDisposable
{
    private readonly List<Func<Task>> _afterCommit = [];
    private IWriteTransaction? _deferred;

    public ParleyDb Db => db;

    /// <summary>Set by the idempotency middleware: commits wait for <see cref="CommitDeferredAsync"/>.</summary>
    public bool DeferCommit { get; set; }

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            // Nested in another RunAsync, or in the request's deferred transaction: the outermost one commits.
            var joined = await action(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return joined;
        }

        T result;
        var transaction = await provider.BeginWriteAsync(db, cancellationToken);
        try
        {
            result = await action(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            if (DeferCommit)
            {
                _deferred = transaction;
                return result;
            }
            await transaction.CommitAsync();
        }
        catch
        {
            await RollbackAsync(transaction);
            throw;
        }
        await RunAfterCommitAsync();
        return result;
    }

    /// <summary>A request that ends with its transaction still open (aborted mid-way) rolls it back.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_deferred is { } transaction)
        {
            _deferred = null;
            await RollbackAsync(transaction);
        }
    }

    public Task RunAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            await action(ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs a write in a transaction of its own that commits at once, outside the request's transaction: for records
    /// that must survive the request failing (a wrong code counted, a failed claim remembered). Never call it while this
    /// request holds a write transaction: on SQLite the second writer would wait for the first forever.
    /// </summary>
    public async Task<T> RunIndependentAsync<T>(Func<Writes, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("RunIndependentAsync was called inside a write transaction.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var independent = scope.ServiceProvider.GetRequiredService<Writes>();
        return await independent.RunAsync(ct => action(independent, ct), cancellationToken);
    }

    public Task LockAsync(CancellationToken cancellationToken, params string[] keys) =>
        provider.LockAsync(db, keys, cancellationToken);

    /// <summary>The statements of <see cref="LockAsync"/>, to send in one <see cref="Sql.BatchAsync"/> with the reads they guard.</summary>
    public IReadOnlyList<SqlStatement> LockStatements(params string[] keys) => provider.LockStatements(db, keys);

    public bool IsUniqueViolation(Exception exception) => provider.IsUniqueViolation(exception);

    /// <inheritdoc cref="DatabaseProvider.ConnectionIdSql"/>
    public string ConnectionIdSql => provider.ConnectionIdSql;

    /// <summary>Runs after the transaction commits; at once when no write is pending (and none is deferred).</summary>
    public void AfterCommit(Func<Task> callback)
    {
        if (db.Database.CurrentTransaction is null && !DeferCommit)
        {
            _ = RunSafelyAsync(callback);
            return;
        }
        _afterCommit.Add(callback);
    }

    private async Task RunSafelyAsync(Func<Task> callback)
    {
        try
        {
            await callback();
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "A post-commit callback failed.");
        }
    }

    /// <summary>Commits the request's deferred transaction after <paramref name="beforeCommit"/> adds to it; opens one when none is pending.</summary>
    public async Task CommitDeferredAsync(Func<CancellationToken, Task> beforeCommit, CancellationToken cancellationToken)
    {
        DeferCommit = false;
        if (_deferred is null)
        {
            await RunAsync(beforeCommit, cancellationToken);
            return;
        }
        var transaction = _deferred;
        _deferred = null;
        try
        {
            await beforeCommit(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync();
        }
        catch
        {
            await RollbackAsync(transaction);
            throw;
        }
        await RunAfterCommitAsync();
    }

    /// <summary>Abandons the request's deferred transaction, if any, and everything queued after it.</summary>
    public async Task RollbackDeferredAsync()
    {
        DeferCommit = false;
        _afterCommit.Clear();
        db.ChangeTracker.Clear();
        if (_deferred is { } transaction)
        {
            _deferred = null;
            await RollbackAsync(transaction);
        }
    }

    private async Task RollbackAsync(IWriteTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Rollback failed; the connection will be discarded.");
        }
        db.ChangeTracker.Clear();
        _afterCommit.Clear();
    }

    private async Task RunAfterCommitAsync()
    {
        if (_afterCommit.Count == 0)
        {
            return;
        }
        var callbacks = _afterCommit.ToArray();
        _afterCommit.Clear();
        foreach (var callback in callbacks)
        {
            // The write is durable; a failed notification is recovered by clients resynchronising.
            await RunSafelyAsync(callback);
        }
    }
}
