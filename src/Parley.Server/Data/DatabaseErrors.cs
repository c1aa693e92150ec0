using Microsoft.Data.Sqlite;
using Npgsql;

namespace Parley.Server.Data;

/// <summary>Thrown when the database cannot be reached (also by the test-only fault hook).</summary>
internal sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

internal static class DatabaseErrors
{
    /// <summary>
    /// Whether a failure means "temporarily unable" (answered 503 <c>SERVICE_UNAVAILABLE</c>, retryable) rather than a bug:
    /// the database is unreachable, the SQLite write lock could not be had in time, or PostgreSQL broke a deadlock.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DatabaseUnavailableException:
                    return true;
                case SqliteException sqlite when sqlite.SqliteErrorCode is 5 or 6:
                    return true;
                case PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                    || pg.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                        or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections:
                    return true;
                case NpgsqlException npgsql when e is not PostgresException && npgsql.IsTransient:
                    return true;
            }
        }
        return false;
    }
}
