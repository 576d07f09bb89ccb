using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Persistence.Outbox;

namespace Paliad.Infrastructure.Sync;

/// <summary>Every Sync:TickSeconds (when Sync:Enabled) fills the engine's free slots with due bindings. Ticks run on
/// across timer beats: a slow binding keeps its slot until its deadline while the others keep their schedule.</summary>
internal sealed partial class SyncWorker(SyncEngine engine, ActivityRetention activityRetention, IOptions<SyncOptions> options, ILogger<SyncWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.TickSeconds)));
        try
        {
            do
            {
                try
                {
                    await engine.StartDueTicksAsync(stoppingToken);
                    await engine.ReportInstanceAsync(stoppingToken);
                    await activityRetention.PruneIfDueAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running ticks see the same token and end.
        }

        try
        {
            await engine.WhenIdleAsync();
        }
        catch (OperationCanceledException)
        {
            // The ticks ended with the host.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Periodic sync tick failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Publishes outbox messages as soon as they are committed (signalled) or every Outbox:PollSeconds.</summary>
internal sealed partial class OutboxWorker(OutboxProcessor processor, OutboxSignal signal, IOptions<OutboxOptions> options, ILogger<OutboxWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(0.1, options.Value.PollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await processor.ProcessPendingAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }

            try
            {
                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox processing failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
