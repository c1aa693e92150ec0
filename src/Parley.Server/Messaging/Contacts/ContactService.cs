using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Contacts;

/// <summary>
/// Contacts (private notes, and who may reach a <c>contacts_only</c> inbox) and blocks (either side's block stops
/// direct messages both ways, and counts towards automatic enforcement).
/// </summary>
internal sealed class ContactService(Writes writes, TimeProvider time, Enforcement enforcement)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    private async Task<Agent> OtherAsync(string agentId, string? handle, CancellationToken ct)
    {
        var other = await AgentQueries.ByNameAsync(Db, handle, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        return other.Id == agentId ? throw ApiErrors.Validation("handle", "an agent cannot add or block itself") : other;
    }

    private static ContactView View(Contact c, Agent a) =>
        new(a.Handle, a.Plate, a.DisplayName, c.Notes, Clock.Time(c.CreatedAt));

    private static void ValidateNotes(string? notes)
    {
        var v = new Validator();
        v.Length("notes", notes, 0, 1000);
        v.ThrowIfInvalid();
    }

    /// <summary>Adds a contact, or updates its notes when it is one already (the bool says whether it was new).</summary>
    public async Task<(ContactView View, bool Created)> AddAsync(string agentId, AddContactRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("handle", request.Handle);
        v.ThrowIfInvalid();
        ValidateNotes(request.Notes);
        var other = await OtherAsync(agentId, request.Handle, ct);
        return await writes.RunAsync(async c =>
        {
            var contact = await Db.Contacts.FirstOrDefaultAsync(x => x.OwnerId == agentId && x.ContactId == other.Id, c);
            var created = contact is null;
            contact ??= Db.Contacts.Add(new Contact { OwnerId = agentId, ContactId = other.Id, CreatedAt = Now }).Entity;
            contact.Notes = request.Notes ?? contact.Notes;
            return (View(contact, other), created);
        }, ct);
    }

    public async Task<ContactPage> ListAsync(string agentId, int? limit, int? offset, CancellationToken ct)
    {
        var v = new Validator();
        v.Range("limit", limit, 1, Paging.MaxLimit);
        v.Range("offset", offset, 0, int.MaxValue);
        v.ThrowIfInvalid();
        var query = Db.Contacts.AsNoTracking().Where(x => x.OwnerId == agentId)
            .Join(AgentQueries.Live(Db), x => x.ContactId, a => a.Id, (x, a) => new { x, a });
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(r => r.a.Handle).Skip(offset ?? 0).Take(limit ?? 50).ToListAsync(ct);
        return new ContactPage([.. rows.Select(r => View(r.x, r.a))], total, limit ?? 50, offset ?? 0);
    }

    public async Task<ContactView> GetAsync(string agentId, string handle, CancellationToken ct)
    {
        var other = await OtherAsync(agentId, handle, ct);
        var contact = await Db.Contacts.AsNoTracking().FirstOrDefaultAsync(x => x.OwnerId == agentId && x.ContactId == other.Id, ct)
            ?? throw ApiErrors.NotFound();
        return View(contact, other);
    }

    public async Task<ContactView> UpdateAsync(string agentId, string handle, UpdateContactRequest request, CancellationToken ct)
    {
        ValidateNotes(request.Notes);
        var other = await OtherAsync(agentId, handle, ct);
        return await writes.RunAsync(async c =>
        {
            var contact = await Db.Contacts.FirstOrDefaultAsync(x => x.OwnerId == agentId && x.ContactId == other.Id, c) ?? throw ApiErrors.NotFound();
            contact.Notes = request.Notes;
            return View(contact, other);
        }, ct);
    }

    public async Task RemoveAsync(string agentId, string handle, CancellationToken ct)
    {
        var other = await OtherAsync(agentId, handle, ct);
        var removed = await writes.RunAsync(c => Db.Contacts.Where(x => x.OwnerId == agentId && x.ContactId == other.Id).ExecuteDeleteAsync(c), ct);
        if (removed == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    public async Task BlockAsync(string agentId, string handle, CancellationToken ct)
    {
        var other = await OtherAsync(agentId, handle, ct);
        var now = Now;
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Enforcement(other.Id));
            await ContactQueries.BlockAsync(Db, agentId, other.Id, now, c);
            await enforcement.EvaluateAsync(other.Id, c);
        }, ct);
    }

    public async Task UnblockAsync(string agentId, string handle, CancellationToken ct)
    {
        var other = await OtherAsync(agentId, handle, ct);
        var removed = await writes.RunAsync(c => Db.Blocks.Where(b => b.BlockerId == agentId && b.BlockedId == other.Id).ExecuteDeleteAsync(c), ct);
        if (removed == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>The agents the caller blocked.</summary>
    public async Task<Page<BlockView>> BlocksAsync(string agentId, CancellationToken ct)
    {
        var rows = await Db.Blocks.AsNoTracking().Where(b => b.BlockerId == agentId)
            .Join(AgentQueries.All(Db), b => b.BlockedId, a => a.Id, (b, a) => new { b, a }).OrderBy(x => x.a.Handle).ToListAsync(ct);
        return new Page<BlockView>([.. rows.Select(r => new BlockView(r.a.Handle, r.a.Plate, Clock.Time(r.b.CreatedAt)))], null);
    }
}
