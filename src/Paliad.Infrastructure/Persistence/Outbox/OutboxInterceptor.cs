using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>Turns the events aggregates raised into outbox rows in the same SaveChanges (so the same transaction),
/// and wakes the outbox worker once they are committed. No network I/O happens here.</summary>
internal sealed class OutboxInterceptor(TimeProvider clock, OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private static readonly object WakeMarker = new();

    /// <summary>Contexts that wrote outbox rows inside a transaction: the worker is woken when it commits.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _awaitingCommit = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Wake(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Wake(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var events = context.ChangeTracker.Entries<Entity>().SelectMany(entry => entry.Entity.DequeueDomainEvents()).ToList();
        if (events.Count > 0 && context.Database.CurrentTransaction is not null)
        {
            _awaitingCommit.AddOrUpdate(context, WakeMarker);
        }

        var now = clock.GetUtcNow();
        foreach (var domainEvent in events)
        {
            context.Set<OutboxMessage>().Add(OutboxMessage.From(domainEvent, now));
        }
    }

    private void Wake(DbContext? context)
    {
        // Outside a transaction the rows are committed now; inside one (a user's lock, a row's for If-Match) they are
        // committed with it: the worker is woken then, if this save wrote any.
        if (context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }
    }

    void IDbTransactionInterceptor.TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData)
        => WakeAfterCommit(eventData.Context);

    Task IDbTransactionInterceptor.TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        WakeAfterCommit(eventData.Context);
        return Task.CompletedTask;
    }

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        if (eventData.Context is { } context)
        {
            _awaitingCommit.Remove(context);
        }

        return Task.CompletedTask;
    }

    private void WakeAfterCommit(DbContext? context)
    {
        if (context is not null && _awaitingCommit.Remove(context))
        {
            signal.Notify();
        }
    }
}

/// <summary>Wakes the outbox worker as soon as new messages are committed, so hooks do not wait for the next poll.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Notify()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
