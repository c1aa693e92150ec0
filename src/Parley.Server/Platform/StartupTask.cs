namespace Parley.Server.Platform;

/// <summary>Work a module needs done once the database is migrated and before the server takes requests.</summary>
internal interface IStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
