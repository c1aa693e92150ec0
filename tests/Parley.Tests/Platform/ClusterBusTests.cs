using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Platform.Cluster;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>
/// The node's cluster bus (LISTEN/NOTIFY on PostgreSQL, in-process on SQLite): a burst larger than one batch of the
/// PostgreSQL sender arrives whole, each notification once per distinct payload.
/// </summary>
public sealed class ClusterBusTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task ABurstOfNotificationsArrivesWhole()
    {
        var bus = server.Services.GetRequiredService<IClusterBus>();
        var topic = "test.burst." + Guid.NewGuid().ToString("N")[..8];
        const int count = 2_500;
        var received = new ConcurrentDictionary<string, int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = bus.Subscribe(topic, payload =>
        {
            received.AddOrUpdate(payload, 1, (_, n) => n + 1);
            if (received.Count == count)
            {
                all.TrySetResult();
            }
            return Task.CompletedTask;
        });

        await Task.WhenAll(Enumerable.Range(0, count).Select(i => bus.PublishAsync(topic, "n" + i, CancellationToken.None)));
        await all.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, count).Select(i => "n" + i).Order(), received.Keys.Order());
        Assert.All(received.Values, n => Assert.Equal(1, n));
    }
}
