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

    /// <summary>Handles every message that is due now; returns how many were handled (successfully or not).</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var handled = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<Guid> batch;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
                batch = await Leases.ClaimOutboxMessagesAsync(
                    db, Leases.NewToken(InstanceId), TimeSpan.FromSeconds(_options.LeaseSeconds), _options.BatchSize, cancellationToken);
            }

            if (batch.Count == 0)
            {
                return handled;
            }

            foreach (var id in await OrderedAsync(batch, cancellationToken))
            {
                await HandleAsync(id, cancellationToken);
                handled++;
            }
        }

        return handled;
    }

    private async Task<List<Guid>> OrderedAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        return await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
            .OrderBy(m => m.OccurredAt).ThenBy(m => m.Id).Select(m => m.Id).ToListAsync(cancellationToken);
    }

    private async Task HandleAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
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
            try
            {
                await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(domainEvent, cancellationToken);
                message.MarkProcessed(clock.GetUtcNow());
                metrics.OutboxLag.Record((clock.GetUtcNow() - message.OccurredAt).TotalSeconds);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Removing events from calendars never gives up: once the target rows are gone, this message is the
                // only record of where those events are (DESIGN §5), so it keeps retrying at the longest backoff.
                var maxAttempts = domainEvent is AppointmentDeleted or CalendarBindingDeleted ? int.MaxValue : _options.MaxAttempts;
                message.MarkFailed(e.Message, clock.GetUtcNow(), maxAttempts,
                    TimeSpan.FromSeconds(_options.RetryBaseDelaySeconds), TimeSpan.FromSeconds(_options.RetryMaxDelaySeconds));
                LogFailed(logger, message.Type, message.Id, message.Attempts, e.Message);
            }
        }

        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseOwner).CurrentValue = null;
        db.Entry(message).Property(Configurations.OutboxMessageConfiguration.LeaseExpiresAt).CurrentValue = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Type} {MessageId} failed (attempt {Attempts}): {Error}")]
    private static partial void LogFailed(ILogger logger, string type, Guid messageId, int attempts, string error);
}
