using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Data;

namespace Parley.Tests.Infrastructure;

/// <summary>Reads the server's database for assertions about what HTTP does not show (never to set anything up).</summary>
public static class ServerState
{
    public static IReadOnlyList<string> GetNotices(this IServiceProvider services, string agentId)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        return [.. db.AgentNotices.AsNoTracking().Where(n => n.AgentId == agentId).OrderBy(n => n.Id).Select(n => n.Type)];
    }
}
