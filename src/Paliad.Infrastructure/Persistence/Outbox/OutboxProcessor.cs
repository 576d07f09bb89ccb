using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Sync;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>
/// Publishes outbox messages through the mediator. Batches are claimed with a lease (FOR UPDATE SKIP LOCKED), so
/// several instances split the work; each message is published in its own scope; a failure is recorded as an
/// attempt with an exponential backoff (never stamped as done, never retried in a hot loop), and after
/// Outbox:MaxAttempts the message is marked dead and kept for inspection.
/// </summary>
public sealed partial class OutboxProcessor(
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    SyncMetrics metrics,
    ILogger<OutboxProcessor> logger)
{
    private readonly OutboxOptions _options = options.Value;

    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Handles every message that is due now; returns how many were handled (successfully or not).
    /// Messages run in lanes, one lane per user: a user's messages keep their order, and up to
    /// Outbox:MaxConcurrentHandlers users' lanes run at once, so one user's slow server holds one lane, not the
    /// outbox.</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var handled = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var token = Leases.NewToken(InstanceId);
            IReadOnlyList<Guid> batch;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
                batch = await Leases.ClaimOutboxMessagesAsync(db, token, Lease, _options.BatchSize, cancellationToken);
            }

            if (batch.Count == 0)
            {
                return handled;
            }

            var lanes = await LanesAsync(batch, cancellationToken);
            await Parallel.ForEachAsync(
                lanes,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrentHandlers), CancellationToken = cancellationToken },
                async (lane, ct) =>
                {
                    foreach (var id in lane)
                    {
                        await HandleAsync(id, token, ct);
                        Interlocked.Increment(ref handled);
                    }
                });
        }

        return handled;
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    /// <summary>The claimed messages in order of occurrence, split into one lane per user they concern.</summary>
    private async Task<List<List<Guid>>> LanesAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var messages = await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        return messages.GroupBy(LaneOf).Select(lane => lane.Select(m => m.Id).ToList()).ToList();
    }

    private static Guid LaneOf(OutboxMessage message)
    {
        try
        {
            return message.ToEvent() is { } domainEvent ? OutboxLanes.KeyOf(domainEvent) ?? message.Id : message.Id;
        }
        catch (System.Text.Json.JsonException)
        {
            return message.Id;
        }
    }

    private async Task HandleAsync(Guid id, string token, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
        if (message.ProcessedAt is not null || message.DeadAt is not null)
        {
            return; // coalesced into another message while it waited in its lane
        }

        IDomainEvent? domainEvent;
        try
        {
            domainEvent = message.ToEvent();
        }
        catch (System.Text.Json.JsonException e)
        {
            domainEvent = null;
            message.MarkDead($"Unreadable payload: {e.Message}", clock.GetUtcNow());
        }

        if (domainEvent is null)
        {
            if (message.DeadAt is null)
            {
                message.MarkDead($"Unknown event type '{message.Type}'.", clock.GetUtcNow());
            }
        }
        else
        {
            if (OutboxLanes.UserResyncOf(domainEvent) is { } userId)
            {
                // A burst of membership changes for one user becomes one re-sync of each of their bindings: this run
                // starts after all of them happened, so it covers them.
                var coalesced = await Leases.CoalesceUserResyncsAsync(db, message.Id, userId, OutboxLanes.UserResyncTypes, token, cancellationToken);
                if (coalesced > 0)
                {
                    LogCoalesced(logger, coalesced, userId, message.Id);
                }
            }

            await PublishAsync(scope, message, domainEvent, token, cancellationToken);
        }

        // Another instance may have taken the message over (this one stalled past its lease): then its outcome is
        // that instance's to record, not this one's.
        if (!await Leases.RenewOutboxMessageAsync(db, id, token, Lease, CancellationToken.None))
        {
            LogLeaseLost(logger, message.Type, message.Id);
            return;
        }

        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseOwner).CurrentValue = null;
        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseExpiresAt).CurrentValue = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Publishes under Outbox:HandlerTimeoutSeconds, renewing the message's lease while the handler runs.</summary>
    private async Task PublishAsync(AsyncServiceScope scope, OutboxMessage message, IDomainEvent domainEvent, string token, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.HandlerTimeoutSeconds)));
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewWhileRunningAsync(message.Id, token, renewal.Token);
        try
        {
            await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(domainEvent, deadline.Token);
            message.MarkProcessed(clock.GetUtcNow());
            metrics.OutboxLag.Record((clock.GetUtcNow() - message.OccurredAt).TotalSeconds);
        }
        catch (SyncNeedsAccountException e) when (IsRemoval(domainEvent))
        {
            // Retrying cannot help until the user fixes their account: wait, unclaimed, for that.
            message.MarkParked(e.Message, e.UserId, clock.GetUtcNow());
            LogParked(logger, message.Type, message.Id, e.UserId, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = deadline.IsCancellationRequested && e is OperationCanceledException
                ? $"The handler did not finish within {_options.HandlerTimeoutSeconds} s."
                : e.Message;

            // Removing events from calendars never gives up: once the target rows are gone, this message is the
            // only record of where those events are (DESIGN §5), so it keeps retrying at the longest backoff.
            var maxAttempts = IsRemoval(domainEvent) ? int.MaxValue : _options.MaxAttempts;
            message.MarkFailed(error, clock.GetUtcNow(), maxAttempts,
                TimeSpan.FromSeconds(_options.RetryBaseDelaySeconds), TimeSpan.FromSeconds(_options.RetryMaxDelaySeconds));
            LogFailed(logger, message.Type, message.Id, message.Attempts, error);
        }
        finally
        {
            await renewal.CancelAsync();
            await renewing;
        }
    }

    private static bool IsRemoval(IDomainEvent domainEvent) => domainEvent is AppointmentDeleted or CalendarBindingDeleted;

    private async Task RenewWhileRunningAsync(Guid messageId, string token, CancellationToken stop)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, _options.LeaseSeconds / 3.0));
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, stop);
                await using var scope = scopes.CreateAsyncScope();
                await Leases.RenewOutboxMessageAsync(scope.ServiceProvider.GetRequiredService<PaliadDbContext>(), messageId, token, Lease, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The handler finished.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: {Count} membership change(s) of user {UserId} coalesced into {MessageId}")]
    private static partial void LogCoalesced(ILogger logger, int count, Guid userId, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId} parked until user {UserId} fixes their CalDAV account: {Error}")]
    private static partial void LogParked(ILogger logger, string type, Guid messageId, Guid userId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId}: the lease was lost while handling it; its new holder records the outcome")]
    private static partial void LogLeaseLost(ILogger logger, string type, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId} failed (attempt {Attempts}): {Error}")]
    private static partial void LogFailed(ILogger logger, string type, Guid messageId, int attempts, string error);
}
