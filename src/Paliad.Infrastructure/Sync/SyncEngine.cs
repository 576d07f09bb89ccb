using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.Accounts;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The sync engine, put together from its three parts: the <see cref="SyncScheduler"/> (periodic ticks over due
/// bindings), the <see cref="BindingRunner"/> (claim → load → client → phases → record, for ticks and hooks alike) and
/// the <see cref="HookFanOut"/> (what the outbox handlers ask for, fanned out to the bindings concerned). All work on
/// a binding happens under that binding's lease, so several instances (and a hook meeting a tick) never work on one
/// calendar at once.
/// </summary>
public sealed class SyncEngine : ISyncRunner, IDisposable
{
    private readonly TimeProvider _clock;
    private readonly SyncOptions _options;
    private readonly SyncDatabase _database;
    private readonly BindingRunner _runner;
    private readonly SyncScheduler _scheduler;
    private readonly HookFanOut _hooks;
    private long _lastReportedTicks;

    public SyncEngine(
        IServiceScopeFactory scopes,
        AccountClients clients,
        TimeProvider clock,
        IOptions<SyncOptions> syncOptions,
        IOptions<CalDavOptions> calDavOptions,
        SyncMetrics metrics,
        ILogger<SyncEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(syncOptions);
        ArgumentNullException.ThrowIfNull(calDavOptions);
        _clock = clock;
        _options = syncOptions.Value;
        _database = new SyncDatabase(scopes, clients);
        var settings = new TickSettings(clock, _options, metrics, calDavOptions.Value.MaxConcurrentRequestsPerServer);
        _runner = new BindingRunner(_database, clock, _options, settings, new SyncRecorder(clock, metrics, logger), logger, InstanceId);
        _scheduler = new SyncScheduler(_runner, _database, _options, metrics, logger, InstanceId);
        _hooks = new HookFanOut(_runner, _database, metrics, logger, TimeSpan.FromSeconds(Math.Max(1, calDavOptions.Value.HookTimeoutSeconds)));
    }

    /// <summary>Who holds a lease: unique per engine instance (process, or test host).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public TimeSpan ManualSyncDeadline => TimeSpan.FromSeconds(Math.Max(1, _options.ManualSyncTimeoutSeconds));

    /// <summary>Claims due bindings and ticks them until none is due; returns what each did. Tests drive the engine
    /// through this.</summary>
    public Task<IReadOnlyList<BindingSyncResult>> RunTickAsync(CancellationToken cancellationToken = default) => _scheduler.RunTickAsync(cancellationToken);

    /// <summary>The background worker's step: fills the free slots with due bindings without waiting for them.</summary>
    public Task<int> StartDueTicksAsync(CancellationToken cancellationToken) => _scheduler.StartDueTicksAsync(cancellationToken);

    /// <summary>Waits for the ticks this instance started (on shutdown).</summary>
    public Task WhenIdleAsync() => _scheduler.WhenIdleAsync();

    /// <summary>Tells /health/sync (sync_instances) when this instance last finished a tick, if that moved since it
    /// last said so. The sync worker calls it once per beat.</summary>
    public async Task ReportInstanceAsync(CancellationToken cancellationToken = default)
    {
        var finished = _runner.LastTickFinished;
        if (finished == 0 || finished == Interlocked.Read(ref _lastReportedTicks))
        {
            return;
        }

        await _database.UseAsync(db => SyncInstance.ReportAsync(db, InstanceId, new DateTimeOffset(finished, TimeSpan.Zero), _clock.GetUtcNow(), cancellationToken));
        Interlocked.Exchange(ref _lastReportedTicks, finished);
    }

    /// <summary>A tick of one binding now, under the hook deadline, waiting within it for whoever holds the binding.</summary>
    public Task<BindingSyncResult> SyncBindingAsync(Guid bindingId, CancellationToken cancellationToken) => _hooks.SyncBindingAsync(bindingId, cancellationToken);

    /// <summary>POST /api/caldav-sync: <paramref name="timeLeft"/> of the request's deadline covers waiting for the
    /// binding (a hook may be pushing to this calendar right now; up to Sync:ManualSyncWaitSeconds) and the tick. The
    /// tick ignores the binding's backoff.</summary>
    public async Task<BindingSyncResult> SyncBindingNowAsync(Guid bindingId, TimeSpan timeLeft, CancellationToken cancellationToken)
        => (await _runner.TickAsync(bindingId, Min(TimeSpan.FromSeconds(_options.ManualSyncWaitSeconds), timeLeft), Min(_scheduler.TickDeadline, timeLeft),
            cancellationToken)).Result;

    /// <summary>Every enabled binding of the user, after they gained or lost access to a project.</summary>
    public Task SyncUserAsync(Guid userId, CancellationToken cancellationToken) => _hooks.SyncUserAsync(userId, cancellationToken);

    /// <summary>An appointment was created or changed: every binding concerned gets it (or loses it).</summary>
    public Task PushAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken)
        => _hooks.PushAppointmentsAsync([appointmentId], exceptBindingId: null, cancellationToken);

    /// <summary>The same for many appointments at once (the edits one tick pulled, from <paramref name="exceptBindingId"/>).</summary>
    public Task PushAppointmentsAsync(IReadOnlyCollection<Guid> appointmentIds, Guid? exceptBindingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appointmentIds);
        return _hooks.PushAppointmentsAsync(appointmentIds, exceptBindingId, cancellationToken);
    }

    /// <summary>Removes events from calendars by href (a deleted appointment's or binding's copies).</summary>
    public Task DeleteRemoteEventsAsync(IReadOnlyList<Domain.CalDav.RemoteEventLocation> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return _hooks.DeleteRemoteEventsAsync(events, cancellationToken);
    }

    /// <summary>A binding now points at another calendar: its events move there.</summary>
    public Task MoveBindingCalendarAsync(Guid bindingId, CancellationToken cancellationToken) => _hooks.MoveBindingCalendarAsync(bindingId, cancellationToken);

    public void Dispose() => _scheduler.Dispose();

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
