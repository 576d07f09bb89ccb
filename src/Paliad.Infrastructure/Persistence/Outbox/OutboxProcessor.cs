using System.Collections.Concurrent;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Application.Common;
using Paliad.Domain.Common;

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
    OutboxMetrics metrics,
    ILogger<OutboxProcessor> logger) : IDisposable
{
    private readonly OutboxOptions _options = options.Value;

    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private readonly object _gate = new();
    private readonly Dictionary<Guid, Lane> _lanes = [];
    private readonly ConcurrentDictionary<Guid, string> _inFlight = new();
    private readonly SemaphoreSlim _handlers = new(Math.Max(1, options.Value.MaxConcurrentHandlers));
    private int _handled;

    /// <summary>One user's queue of claimed messages, handled in order by one runner.</summary>
    private sealed class Lane
    {
        public Queue<(Guid Id, string Token)> Pending { get; } = new();

        public Task Runner { get; set; } = Task.CompletedTask;
    }

    public void Dispose() => _handlers.Dispose();

    /// <summary>Handles every message that is due, until none is due and none is running; returns how many were
    /// handled (successfully or not). Messages run in lanes, one per user, with at most one message of a lane in
    /// flight (<see cref="OutboxLeases.ClaimAsync"/> takes lanes in turn): a user's messages keep their order, up to
    /// Outbox:MaxConcurrentHandlers messages of different users run at once, and new messages keep being claimed
    /// while a slow lane runs — one user's slow server or backlog holds its own lane, never the outbox. Every
    /// claimed message's lease is renewed until it is handled.</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var handledBefore = Volatile.Read(ref _handled);
        var renewEvery = TimeSpan.FromSeconds(Math.Max(1, _options.LeaseSeconds / 3.0));
        var lastRenewal = clock.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (clock.GetUtcNow() - lastRenewal >= renewEvery)
            {
                lastRenewal = clock.GetUtcNow();
                await RenewInFlightAsync(cancellationToken);
            }

            // Claim while there is room: never more than two batches waiting in lanes.
            if (_inFlight.Count < Math.Max(1, _options.BatchSize) * 2 && await ClaimIntoLanesAsync(cancellationToken) > 0)
            {
                continue;
            }

            Task[] running;
            lock (_gate)
            {
                running = _lanes.Values.Select(l => l.Runner).ToArray();
            }

            if (running.Length == 0)
            {
                break;
            }

            await Task.WhenAny(Task.WhenAny(running), Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellationToken));
        }

        return Volatile.Read(ref _handled) - handledBefore;
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(_options.LeaseSeconds);

    /// <summary>Claims a batch and appends each message to its user's lane (starting the lane's runner when idle).</summary>
    private async Task<int> ClaimIntoLanesAsync(CancellationToken cancellationToken)
    {
        var token = LeaseTokens.New(InstanceId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var ids = await OutboxLeases.ClaimAsync(db, token, Lease, _options.BatchSize, cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var messages = await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        lock (_gate)
        {
            foreach (var message in messages)
            {
                _inFlight[message.Id] = token;
                var key = LaneOf(message);
                if (!_lanes.TryGetValue(key, out var lane))
                {
                    lane = new Lane();
                    _lanes[key] = lane;
                    lane.Pending.Enqueue((message.Id, token));
                    lane.Runner = RunLaneAsync(key, lane, cancellationToken);
                }
                else
                {
                    lane.Pending.Enqueue((message.Id, token));
                }
            }
        }

        return messages.Count;
    }

    /// <summary>Handles a lane's messages in order. A failure of one message (even one the handler bookkeeping
    /// itself hit) is logged and leaves that message to be retried when its lease ends; it never stops other lanes.</summary>
    private async Task RunLaneAsync(Guid key, Lane lane, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                (Guid Id, string Token) next;
                lock (_gate)
                {
                    if (!lane.Pending.TryDequeue(out next))
                    {
                        _lanes.Remove(key);
                        return;
                    }
                }

                await _handlers.WaitAsync(cancellationToken);
                try
                {
                    await HandleAsync(next.Id, next.Token, cancellationToken);
                    Interlocked.Increment(ref _handled);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogHandlingFailed(logger, next.Id, e);
                }
                finally
                {
                    _handlers.Release();
                    _inFlight.TryRemove(next.Id, out _);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _lanes.Remove(key);
            }
        }
    }

    /// <summary>Extends the leases of every claimed message not yet handled (those waiting in a lane included).</summary>
    private async Task RenewInFlightAsync(CancellationToken cancellationToken)
    {
        var tokens = _inFlight.Values.Distinct(StringComparer.Ordinal).ToArray();
        if (tokens.Length == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await OutboxLeases.RenewManyAsync(scope.ServiceProvider.GetRequiredService<PaliadDbContext>(), tokens, Lease, cancellationToken);
    }

    private static Guid LaneOf(OutboxMessage message)
    {
        try
        {
            return message.ToEvent() is { } domainEvent ? domainEvent.Lane : message.Id;
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

        if (!await OutboxLeases.RenewAsync(db, id, token, Lease, cancellationToken))
        {
            LogLeaseLost(logger, message.Type, message.Id);
            return; // another instance took it over while it waited: it is theirs now
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
                var coalesced = await OutboxLeases.CoalesceUserResyncsAsync(db, message.Id, userId, OutboxLanes.UserResyncTypes, token, cancellationToken);
                if (coalesced > 0)
                {
                    LogCoalesced(logger, coalesced, userId, message.Id);
                }
            }

            await PublishAsync(scope, message, domainEvent, cancellationToken);
        }

        // Another instance may have taken the message over (this one stalled past its lease): then its outcome is
        // that instance's to record, not this one's.
        if (!await OutboxLeases.RenewAsync(db, id, token, Lease, CancellationToken.None))
        {
            LogLeaseLost(logger, message.Type, message.Id);
            return;
        }

        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseOwner).CurrentValue = null;
        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseExpiresAt).CurrentValue = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>Publishes under Outbox:HandlerTimeoutSeconds (the lease is renewed meanwhile by the processing loop).</summary>
    private async Task PublishAsync(AsyncServiceScope scope, OutboxMessage message, IDomainEvent domainEvent, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.HandlerTimeoutSeconds)));
        try
        {
            await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(domainEvent, deadline.Token);
            message.MarkProcessed(clock.GetUtcNow());
            metrics.Lag.Record((clock.GetUtcNow() - message.OccurredAt).TotalSeconds);
        }
        catch (AccountNeedsFixingException e) when (domainEvent.Retry == RetryClass.NeverGivesUp)
        {
            if (await AccountChangedSinceAsync(scope, e.UserId, started))
            {
                // Saved while the handler ran: the release came and went, so retry normally instead of waiting.
                MarkFailed(message, domainEvent, e.Message);
                return;
            }

            // Retrying cannot help until the user fixes their account: wait, unclaimed, for that.
            message.MarkParked(e.Message, e.UserId, clock.GetUtcNow());
            LogParked(logger, message.Type, message.Id, e.UserId, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            MarkFailed(message, domainEvent, deadline.IsCancellationRequested && e is OperationCanceledException
                ? $"The handler did not finish within {_options.HandlerTimeoutSeconds} s."
                : e.Message);
        }
    }

    private void MarkFailed(OutboxMessage message, IDomainEvent domainEvent, string error)
    {
        // An event that never gives up (removing events from calendars: once the target rows are gone, it is the only
        // record of where those events are, DESIGN §5) keeps retrying at the longest backoff.
        var maxAttempts = domainEvent.Retry == RetryClass.NeverGivesUp ? int.MaxValue : _options.MaxAttempts;
        message.MarkFailed(error, clock.GetUtcNow(), maxAttempts,
            TimeSpan.FromSeconds(_options.RetryBaseDelaySeconds), TimeSpan.FromSeconds(_options.RetryMaxDelaySeconds));
        LogFailed(logger, message.Type, message.Id, message.Attempts, error);
    }

    /// <summary>Whether the user saved their account while the handler ran (the release already happened).</summary>
    private static async Task<bool> AccountChangedSinceAsync(AsyncServiceScope scope, Guid userId, DateTimeOffset since)
        => await scope.ServiceProvider.GetRequiredService<PaliadDbContext>().CalDavConfigs.AsNoTracking()
            .AnyAsync(c => c.UserId == userId && c.UpdatedAt >= since);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} could not be handled; it is retried when its lease ends")]
    private static partial void LogHandlingFailed(ILogger logger, Guid messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: {Count} membership change(s) of user {UserId} coalesced into {MessageId}")]
    private static partial void LogCoalesced(ILogger logger, int count, Guid userId, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId} parked until user {UserId} fixes their CalDAV account: {Error}")]
    private static partial void LogParked(ILogger logger, string type, Guid messageId, Guid userId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId}: the lease was lost while handling it; its new holder records the outcome")]
    private static partial void LogLeaseLost(ILogger logger, string type, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId} failed (attempt {Attempts}): {Error}")]
    private static partial void LogFailed(ILogger logger, string type, Guid messageId, int attempts, string error);
}
