using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class JobTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task AcrossNodesOnOneDatabaseEachDueJobRunsOnce()
    {
        var ids = server.Services.GetRequiredService<Ids>();
        var scopes = server.Services.GetRequiredService<IServiceScopeFactory>();
        // Five schedulers with their own node identities stand for five nodes sharing the database.
        var nodes = Enumerable.Range(0, 5).Select(_ => new JobScheduler(scopes, [], new NodeIdentity(ids), server.Clock,
            NullLogger<JobScheduler>.Instance)).ToList();

        for (var round = 0; round < 3; round++)
        {
            server.Clock.Advance(TimeSpan.FromMinutes(11));
            var runs = await Task.WhenAll(nodes.Select(n => n.RunIfDueAsync("idempotency-cleanup", force: false, CancellationToken.None)));
            Assert.Single(runs, r => r is not null);
        }

        // Within its interval a job does not run again anywhere.
        var early = await Task.WhenAll(nodes.Select(n => n.RunIfDueAsync("idempotency-cleanup", force: false, CancellationToken.None)));
        Assert.All(early, r => Assert.Null(r));
    }
}
