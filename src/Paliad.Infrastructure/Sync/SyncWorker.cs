using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Paliad.Infrastructure.Sync;

/// <summary>Every Sync:TickSeconds (when Sync:Enabled) fills the engine's free slots with due bindings. Ticks run on
/// across timer beats: a slow binding keeps its slot until its deadline while the others keep their schedule.</summary>
internal sealed class SyncWorker(SyncEngine engine, ActivityRetention activityRetention, IOptions<SyncOptions> options, ILogger<SyncWorker> logger)
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

    private static readonly Action<ILogger, Exception?> LogFailed = LoggerMessage.Define(
        LogLevel.Error, new EventId(40, "PeriodicTickFailed"), "Periodic sync tick failed");
}
