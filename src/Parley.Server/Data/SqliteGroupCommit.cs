using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Parley.Server.Data;

/// <summary>
/// Group commit for SQLite. SQLite has one writer at a time and, with <c>Database:Durability=full</c>, every commit
/// waits for an fsync, which cost more than the rest of a message send together. So this process's writers take turns
/// on one shared connection inside one transaction: each turn runs in a savepoint (released when the turn succeeds,
/// rolled back when it fails, so one writer's failure never undoes another's), and the turn that finds no one waiting,
/// the <see cref="MaxTurns"/>th, or the first after the group has been open for the window
/// (<c>Database:GroupCommitWindowMs</c>), commits for the whole group. Every writer's <c>CommitAsync</c> returns only after
/// that commit, so a 2xx still means the write is durable; if the commit fails, every writer of the group fails.
/// <para>
/// A turn moves the writer's own <see cref="ParleyDb"/> onto the shared connection (and back when it ends), so the
/// code inside <see cref="Writes.RunAsync{T}"/> is the same on both providers. Turns are never cancelled while waiting:
/// every turn taken is finished, which is what guarantees the group is always committed by someone.
/// </para>
/// </summary>
internal sealed class SqliteGroupCommit(string connectionString, SqlitePragmas pragmas, TimeSpan window) : IDisposable
{
    /// <summary>With the window, bounds how long the first writer of a busy group waits for its commit.</summary>
    public const int MaxTurns = 32;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _waiting;
    private SqliteConnection? _connection;

    /// <summary>The open group; read and written only by the holder of <see cref="_turn"/>.</summary>
    private Group? _group;
    private long _commits;

    /// <summary>Writers waiting for their turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Groups committed since start.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public async Task<IWriteTransaction> BeginAsync(ParleyDb db)
    {
        Interlocked.Increment(ref _waiting);
        await _turn.WaitAsync(CancellationToken.None);
        Interlocked.Decrement(ref _waiting);
        Group? group = null;
        try
        {
            group = _group ??= Open();
            group.Turns++;
            var savepoint = "turn" + group.Turns.ToString(System.Globalization.CultureInfo.InvariantCulture);
            group.Transaction.Save(savepoint);
            db.Database.SetDbConnection(_connection, contextOwnsConnection: false);
            await db.Database.UseTransactionAsync(group.Transaction);
            return new Turn(this, db, group, savepoint);
        }
        catch (Exception exception)
        {
            Detach(db);
            End(group, exception);
            throw;
        }
    }

    private Group Open()
    {
        if (_connection is null)
        {
            var connection = new SqliteConnection(connectionString);
            connection.Open();
            pragmas.Apply(connection);
            _connection = connection;
        }
        return new Group(_connection.BeginTransaction(deferred: false));
    }

    /// <summary>Gives the context its own connection back.</summary>
    private void Detach(ParleyDb db)
    {
        if (ReferenceEquals(db.Database.GetDbConnection(), _connection))
        {
            db.Database.UseTransaction(null);
            db.Database.SetDbConnection(new SqliteConnection(connectionString), contextOwnsConnection: true);
        }
    }

    /// <summary>
    /// Ends a turn: passes the open group on to a waiting writer, or commits it (rolls it back after a
    /// <paramref name="failure"/> that broke it) and settles every writer of the group.
    /// </summary>
    private void End(Group? group, Exception? failure)
    {
        if (group is null)
        {
            _turn.Release();
            return;
        }
        if (failure is null && Volatile.Read(ref _waiting) > 0 && group.Turns < MaxTurns
            && System.Diagnostics.Stopwatch.GetElapsedTime(group.Opened) < window)
        {
            _turn.Release();
            return;
        }
        _group = null;
        try
        {
            if (failure is null)
            {
                group.Transaction.Commit();
                Interlocked.Increment(ref _commits);
            }
            else
            {
                group.Transaction.Rollback();
            }
        }
        catch (Exception exception)
        {
            failure ??= exception;
        }
        group.Transaction.Dispose();
        if (failure is not null)
        {
            // The connection may be what failed; the next group opens a fresh one.
            _connection?.Dispose();
            _connection = null;
        }
        _turn.Release();
        if (failure is null)
        {
            group.Outcome.SetResult();
        }
        else
        {
            group.Outcome.SetException(failure);
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _turn.Dispose();
    }

    private sealed class Group(SqliteTransaction transaction)
    {
        public SqliteTransaction Transaction { get; } = transaction;
        public int Turns { get; set; }
        public long Opened { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
        public TaskCompletionSource Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Turn(SqliteGroupCommit owner, ParleyDb db, Group group, string savepoint) : IWriteTransaction
    {
        private bool _ended;

        public async Task CommitAsync()
        {
            EndTurn(keep: true);
            await group.Outcome.Task;
        }

        public async Task RollbackAsync()
        {
            if (EndTurn(keep: false))
            {
                try
                {
                    // Wait for the group all the same, so this writer's next reads see what the group committed.
                    await group.Outcome.Task;
                }
                catch (Exception)
                {
                    // This writer failed already; the group's failure is reported to the writers it took down.
                }
            }
        }

        private bool EndTurn(bool keep)
        {
            if (_ended)
            {
                return false;
            }
            _ended = true;
            Exception? failure = null;
            try
            {
                if (!keep)
                {
                    group.Transaction.Rollback(savepoint);
                }
                group.Transaction.Release(savepoint);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            try
            {
                owner.Detach(db);
            }
            catch (Exception exception)
            {
                failure ??= exception;
            }
            owner.End(group, failure);
            return true;
        }
    }
}

/// <summary>A write transaction as <see cref="Writes"/> sees it: its own (PostgreSQL) or a turn in a group (SQLite).</summary>
internal interface IWriteTransaction
{
    /// <summary>Returns once the write is durable; throws if it was not committed.</summary>
    Task CommitAsync();

    /// <summary>Undoes the write; a failure to roll back is reported, and leaves nothing to undo.</summary>
    Task RollbackAsync();
}
