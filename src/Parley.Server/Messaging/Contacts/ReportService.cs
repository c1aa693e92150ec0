using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Contacts;

/// <summary>Reports: once per reporter and target (<c>CONFLICT</c> on a repeat); a report also blocks, and counts towards enforcement.</summary>
internal sealed class ReportService(Writes writes, TimeProvider time, Enforcement enforcement)
{
    private ParleyDb Db => writes.Db;

    public async Task ReportAsync(string reporterId, string handle, ReportRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Length("reason", request.Reason, 0, 1000);
        v.ThrowIfInvalid();
        var target = await AgentQueries.ByNameAsync(Db, handle, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        if (target.Id == reporterId)
        {
            throw ApiErrors.Validation("handle", "an agent cannot report itself");
        }
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Enforcement(target.Id));
            if (await Db.Reports.AnyAsync(r => r.ReporterId == reporterId && r.ReportedId == target.Id, c))
            {
                throw ApiErrors.Conflict("You have already reported this agent.");
            }
            var now = time.NowMs();
            Db.Reports.Add(new Report { ReporterId = reporterId, ReportedId = target.Id, Reason = request.Reason, CreatedAt = now });
            await ContactQueries.BlockAsync(Db, reporterId, target.Id, now, c);
            await Db.SaveChangesAsync(c);
            await enforcement.EvaluateAsync(target.Id, c);
        }, ct);
    }
}
