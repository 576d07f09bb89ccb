using Microsoft.EntityFrameworkCore;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>One outbox message as an operator sees it.</summary>
public sealed record OutboxMessageSummary(
    Guid Id, string Type, string State, int Attempts, DateTimeOffset OccurredAt, DateTimeOffset NextAttemptAt, string? LastError);

/// <summary>What the outbox tool (<c>./paliad outbox</c>, <c>Paliad.Api outbox</c>) does: list messages not yet
/// processed, and make dead or parked ones due again.</summary>
public sealed class OutboxAdministration(PaliadDbContext db, TimeProvider clock)
{
    /// <summary>Messages not processed yet (pending, parked, dead), oldest first; <paramref name="deadOnly"/>: dead only.</summary>
    public async Task<IReadOnlyList<OutboxMessageSummary>> ListAsync(bool deadOnly, int limit, CancellationToken cancellationToken = default)
    {
        var messages = db.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAt == null);
        if (deadOnly)
        {
            messages = messages.Where(m => m.DeadAt != null);
        }

        var rows = await messages.OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).Take(limit).ToListAsync(cancellationToken);
        return rows.Select(m => new OutboxMessageSummary(m.Id, m.Type, StateOf(m), m.Attempts, m.OccurredAt, m.NextAttemptAt, m.LastError)).ToList();
    }

    /// <summary>Makes one message due again; false when there is no such unprocessed message.</summary>
    public async Task<bool> RetryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var message = await db.OutboxMessages.SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null || !message.Revive(clock.GetUtcNow()))
        {
            return false;
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Makes every dead message due again; returns how many.</summary>
    public async Task<int> RetryDeadAsync(CancellationToken cancellationToken = default)
    {
        var dead = await db.OutboxMessages.Where(m => m.DeadAt != null && m.ProcessedAt == null).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var revived = dead.Count(m => m.Revive(now));
        await db.SaveChangesAsync(cancellationToken);
        return revived;
    }

    private static string StateOf(OutboxMessage message)
        => message.DeadAt is not null ? "dead" : message.ParkedAt is not null ? "parked" : "pending";
}
