using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Data;
using Parley.Server.Platform.Jobs;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>A server whose SQLite groups stay open long enough for every waiting writer to join.</summary>
public sealed class WideGroupServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Database:GroupCommitWindowMs"] = "60000";
}

/// <summary>
/// <see cref="Writes"/> under concurrency: every writer's outcome is its own, and on SQLite concurrent writers share
/// one commit (group commit) without one writer's failure undoing another's.
/// </summary>
public sealed class WritesTests(WideGroupServer server) : IClassFixture<WideGroupServer>
{
    private const int Writers = 24;

    [Fact]
    public async Task ConcurrentWritersKeepTheirOwnOutcomes()
    {
        var prefix = "w-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var sqlite = server.Services.GetRequiredService<DatabaseProvider>() as SqliteProvider;
        var commitsBefore = sqlite?.Groups.Commits ?? 0;
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<bool> WriteAsync(int i)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var writes = scope.ServiceProvider.GetRequiredService<Writes>();
            try
            {
                await writes.RunAsync(async ct =>
                {
                    if (i == 0 && sqlite is not null)
                    {
                        // The first writer holds its turn until every other writer waits for one, so they all join its group.
                        holding.SetResult();
                        while (sqlite.Groups.Waiting < Writers - 1)
                        {
                            await Task.Delay(1, ct);
                        }
                    }
                    writes.Db.JobLeases.Add(new JobLease { Name = prefix + i, Holder = "test", LeaseUntil = i, LastRunAt = i });
                    await writes.Db.SaveChangesAsync(ct);
                    if (i % 3 == 1)
                    {
                        throw new InvalidOperationException("writer " + i + " fails after its insert");
                    }
                }, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
            // After its write the context is on its own connection again and sees the committed row.
            Assert.True(await writes.Db.JobLeases.AnyAsync(j => j.Name == prefix + i));
            Assert.Null(writes.Db.Database.CurrentTransaction);
            return true;
        }

        var first = Task.Run(() => WriteAsync(0));
        if (sqlite is not null)
        {
            // The others start once writer 0 holds the turn.
            await holding.Task;
        }
        var rest = Enumerable.Range(1, Writers - 1).Select(i => Task.Run(() => WriteAsync(i)));
        var outcomes = await Task.WhenAll(rest.Prepend(first));

        for (var i = 0; i < Writers; i++)
        {
            Assert.Equal(i % 3 != 1, outcomes[i]);
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            var stored = await db.JobLeases.Where(j => j.Name.StartsWith(prefix)).Select(j => j.Name).ToListAsync();
            var expected = Enumerable.Range(0, Writers).Where(i => i % 3 != 1).Select(i => prefix + i).Order().ToList();
            Assert.Equal(expected, stored.Order().ToList());
        }
        if (sqlite is not null)
        {
            // Every writer joined the group writer 0 held open (24 turns, under the 32 a group may take): one commit,
            // where committing each write alone would have taken 24. (A background job's write may add one.)
            Assert.InRange(sqlite.Groups.Commits - commitsBefore, 1, 2);
        }
    }
}
