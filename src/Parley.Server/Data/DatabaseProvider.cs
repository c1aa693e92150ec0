using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Parley.Server.Data;

/// <summary>Thrown when the database cannot be reached (also by the test-only fault hook).</summary>
internal sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The seam between SQLite and PostgreSQL: how to connect, how an exact writer takes its locks, and how to recognise
/// a unique violation or a database that is temporarily unable. Everything else in the data model is shared.
/// </summary>
internal abstract class DatabaseProvider
{
    public abstract string Name { get; }

    public abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>
    /// Serialises writers that must be exact (counters, caps, sequences) on the given keys until the current write
    /// transaction ends. Call it first thing inside <see cref="Writes.RunAsync{T}"/>, with keys in a stable order.
    /// </summary>
    public Task LockAsync(ParleyDb db, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        Sql.BatchAsync(db, cancellationToken, [.. LockStatements(db, keys)]);

    /// <summary>
    /// The statements <see cref="LockAsync"/> runs, for a caller that sends them in one batch with the reads they guard
    /// (<see cref="Sql.BatchAsync"/> runs statements in order, so the reads after them see what the lock protects).
    /// </summary>
    public abstract IReadOnlyList<SqlStatement> LockStatements(ParleyDb db, IReadOnlyList<string> keys);

    /// <summary>
    /// An SQL expression that tells this connection from every other open at the same time (two transactions on one
    /// connection never overlap): a writer can pick a counter row no concurrent writer holds.
    /// </summary>
    public abstract string ConnectionIdSql { get; }

    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// Whether a failure means "temporarily unable" (answered 503 <c>SERVICE_UNAVAILABLE</c>, retryable) rather than a
    /// bug: the database is unreachable, or the provider's own transient conditions (<see cref="IsTransient"/>).
    /// </summary>
    public bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DatabaseUnavailableException || IsTransient(e))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One exception of a failure's chain that this provider knows to be transient.</summary>
    protected abstract bool IsTransient(Exception exception);

    /// <summary>Begins the write transaction of <see cref="Writes.RunAsync{T}"/> on the context.</summary>
    public virtual async Task<IWriteTransaction> BeginWriteAsync(ParleyDb db, CancellationToken cancellationToken) =>
        new OwnTransaction(await db.Database.BeginTransactionAsync(cancellationToken));

    /// <summary>A transaction of the context's own, on its own connection.</summary>
    private sealed class OwnTransaction(IDbContextTransaction transaction) : IWriteTransaction
    {
        public async Task CommitAsync()
        {
            await transaction.CommitAsync(CancellationToken.None);
            await transaction.DisposeAsync();
        }

        public async Task RollbackAsync()
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                await transaction.DisposeAsync();
            }
        }
    }

    /// <summary>Start-up work before migrations (SQLite: the file's folder and WAL mode).</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// SQLite: every write transaction is <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default for
/// <c>BeginTransaction()</c>), so it holds the database's single write lock from its first statement and exact
/// writers need no further locks. A deferred transaction would read first and fail with SQLITE_BUSY when it
/// tried to upgrade.
/// <para>
/// The writers of this process take turns in groups that commit together (<see cref="SqliteGroupCommit"/>): they
/// never wait in SQLite's busy handler, which sleeps in growing steps while the lock sits free, and a group pays for
/// one fsync instead of one per writer. The busy timeout still covers writers of other processes (a backup, an
/// operator's shell).
/// </para>
/// </summary>
internal sealed class SqliteProvider(string connectionString, SqlitePragmas pragmas, TimeSpan groupCommitWindow) : DatabaseProvider, IDisposable
{
    private readonly SqliteGroupCommit _groups = new(connectionString, pragmas, groupCommitWindow);

    public SqliteGroupCommit Groups => _groups;

    public void Dispose() => _groups.Dispose();

    public override string Name => "sqlite";

    public override Task<IWriteTransaction> BeginWriteAsync(ParleyDb db, CancellationToken cancellationToken) => _groups.BeginAsync(db);

    public override void Configure(DbContextOptionsBuilder options) =>
        options.UseSqlite(connectionString).AddInterceptors(pragmas);

    /// <summary>0: SQLite has one writer (<see cref="SqliteGroupCommit"/>), so no two writes ever overlap.</summary>
    public override string ConnectionIdSql => "0";

    /// <summary>None: the one writer (this process's write transaction, <see cref="SqliteGroupCommit"/>) holds every key.</summary>
    public override IReadOnlyList<SqlStatement> LockStatements(ParleyDb db, IReadOnlyList<string> keys) =>
        db.Database.CurrentTransaction is null ? throw new InvalidOperationException("LockAsync must be called inside a write transaction.") : [];

    public override bool IsUniqueViolation(Exception exception) =>
        Find<SqliteException>(exception) is { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    /// <summary>The write lock could not be had in time (another process held it): SQLITE_BUSY or SQLITE_LOCKED.</summary>
    protected override bool IsTransient(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }
        return null;
    }
}

/// <summary>
/// PostgreSQL at READ COMMITTED: a count-then-insert can overrun a cap there, so exact writers take transaction-scoped
/// advisory locks on their keys (released at commit or rollback) before they read what they will check.
/// </summary>
internal sealed class PostgresProvider(NpgsqlDataSource dataSource) : DatabaseProvider
{
    public override string Name => "postgres";

    public NpgsqlDataSource DataSource => dataSource;

    public override void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(dataSource);

    /// <summary>The backend process id, one per connection.</summary>
    public override string ConnectionIdSql => "pg_backend_pid()";

    /// <summary>A transaction-scoped advisory lock per key, taken in key order (so two writers never wait on each other in a circle).</summary>
    public override IReadOnlyList<SqlStatement> LockStatements(ParleyDb db, IReadOnlyList<string> keys) =>
        db.Database.CurrentTransaction is null
            ? throw new InvalidOperationException("LockAsync must be called inside a write transaction.")
            : [.. keys.Order(StringComparer.Ordinal).Select(key =>
                new SqlQuery<int>("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(@p0, 0))) l", _ => 1, key))];

    public override bool IsUniqueViolation(Exception exception) =>
        SqliteProvider.Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>A lost or refused connection, a shutdown, a deadlock PostgreSQL broke, or a serialization failure.</summary>
    protected override bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };
}
