namespace Paliad.Infrastructure.Sync;

/// <summary>Configuration section "Sync" (DESIGN §7).</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Runs the background workers (periodic ticks and the outbox). Off in tests, which drive them directly.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the periodic tick looks for due bindings.</summary>
    public int TickSeconds { get; set; } = 30;

    /// <summary>Every this many ticks a binding's pull is a full ETag listing even when the change markers say
    /// nothing changed, because servers lose change-log rows.</summary>
    public int FullReconcileEvery { get; set; } = 20;

    /// <summary>How long a claimed binding stays claimed when its instance dies mid-tick.</summary>
    public int LeaseSeconds { get; set; } = 300;

    /// <summary>Most bindings one RunTickAsync call ticks (the background worker instead keeps its slots filled).</summary>
    public int MaxBindingsPerTick { get; set; } = 20;

    /// <summary>Bindings one instance ticks at once: a stuck binding holds one slot until its deadline, never the round.</summary>
    public int MaxConcurrentBindings { get; set; } = 8;

    /// <summary>Bindings of one user being worked on at once, across instances: one user's many bindings cannot take
    /// every slot.</summary>
    public int MaxConcurrentBindingsPerUser { get; set; } = 2;

    /// <summary>Deadline of one binding's periodic (or "sync now") tick; one that hits it ends "partial", with what it
    /// did recorded, and resumes next tick. Kept below Sync:LeaseSeconds.</summary>
    public int TickTimeoutSeconds { get; set; } = 120;

    /// <summary>Deadline of one POST /api/caldav-sync request over all the bindings it ticks.</summary>
    public int ManualSyncTimeoutSeconds { get; set; } = 60;

    /// <summary>How long POST /api/caldav-sync waits for a binding another worker is syncing before it says "skipped".</summary>
    public double ManualSyncWaitSeconds { get; set; } = 30;

    /// <summary>Sync:MassChangeThreshold:{MoreThan, PercentOfEvents}: one tick never applies more calendar edits than
    /// this (more than 10 and more than 25 % of the binding's events, by default); the binding is held instead.</summary>
    public MassChangeOptions MassChangeThreshold { get; set; } = new();

    public sealed class MassChangeOptions
    {
        public int MoreThan { get; set; } = Domain.CalDav.MassChangeThreshold.DefaultMoreThan;

        public int PercentOfEvents { get; set; } = Domain.CalDav.MassChangeThreshold.DefaultPercentOfEvents;

        public Domain.CalDav.MassChangeThreshold AsThreshold() => new(Math.Max(0, MoreThan), Math.Clamp(PercentOfEvents, 0, 100));
    }
}
