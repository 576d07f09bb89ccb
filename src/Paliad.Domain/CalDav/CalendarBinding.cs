using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>
/// "Push the appointments of scope S into calendar C." One calendar takes one binding per user
/// (RFC 4791 forbids two resources with one UID in a collection).
/// </summary>
public sealed class CalendarBinding : Entity
{
    public const int CalendarPathMaxLength = CalendarCollectionPath.MaxLength;
    public const int DisplayNameMaxLength = 200;

    /// <summary>Longest sync-token or ctag kept; a longer one from a server is treated as absent.</summary>
    public const int ChangeMarkerMaxLength = 1024;

    public const int LastSyncErrorMaxLength = 4000;

    /// <summary>A failing binding waits this long before its first retry, doubling up to <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    private CalendarBinding()
    {
        CalendarPath = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    /// <summary>The calendar collection's path on the user's CalDAV server, e.g. "/alice/court-dates/".</summary>
    public string CalendarPath { get; private set; }

    public string? DisplayName { get; private set; }

    public BindingScope Scope { get; private set; }

    /// <summary>The project a project/client/litigation/patent/case scope names; null exactly for all_visible and personal_only.</summary>
    public Guid? ScopeId { get; private set; }

    public bool Enabled { get; private set; }

    public BindingSyncStatus SyncStatus { get; private set; }

    public DateTimeOffset? LastSyncAt { get; private set; }

    /// <summary>What failed in the last sync, in plain words for the person (null unless the status is error).</summary>
    public string? LastSyncError { get; private set; }

    /// <summary>The technical detail of <see cref="LastSyncError"/> (the request, the server's answer).</summary>
    public string? LastSyncErrorDetail { get; private set; }

    /// <summary>The row's version as the database keeps it (PostgreSQL's <c>xmin</c>): it changes with every write of
    /// the row, whoever makes it (a person, the sync engine). Read-only here; the API's ETag is made from it.</summary>
    public uint RowVersion { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The collection's sync-token after the last pull (RFC 6578); null until the first pull.</summary>
    public string? SyncToken { get; private set; }

    /// <summary>The collection's getctag after the last pull; with the sync-token, "nothing changed" costs one PROPFIND.</summary>
    public string? Ctag { get; private set; }

    /// <summary>Ticks since the last full ETag reconciliation (servers lose change-log rows, so one runs now and then).</summary>
    public int TicksSinceFullReconcile { get; private set; }

    /// <summary>Periodic ticks in a row that could not finish (server down, hostile answers, deadline).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>A failing binding is not claimed again before this (exponential backoff); null when healthy.</summary>
    public DateTimeOffset? NextAttemptAt { get; private set; }

    /// <summary>Every appointment changed before this instant is in the calendar as it should be, so a tick looks only
    /// at appointments changed since (an index range, O(changes)). Null: the next tick looks at the whole scope.</summary>
    public DateTimeOffset? PushedThrough { get; private set; }

    /// <summary>Counts the times the whole scope was asked to be looked at again (the scope or its projects'
    /// membership changed): a tick that started before such a request does not move <see cref="PushedThrough"/>.</summary>
    public int FullScansRequested { get; private set; }

    /// <summary>How far back before a tick's start <see cref="PushedThrough"/> stays: covers a change committed just
    /// after the tick looked and clocks of several instances that disagree a little.</summary>
    public static readonly TimeSpan PushedThroughMargin = TimeSpan.FromMinutes(5);

    public static CalendarBinding Create(
        Guid userId,
        string calendarPath,
        string? displayName,
        BindingScope scope,
        Guid? scopeId,
        bool enabled,
        DateTimeOffset now)
    {
        EnsureScope(scope, scopeId);
        var binding = new CalendarBinding
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CalendarPath = ValidCalendarPath(calendarPath),
            DisplayName = Guard.OptionalText(displayName, DisplayNameMaxLength, nameof(displayName)),
            Scope = scope,
            ScopeId = scopeId,
            Enabled = enabled,
            SyncStatus = BindingSyncStatus.Pending,
            CreatedAt = Instant.Normalize(now),
            UpdatedAt = Instant.Normalize(now),
        };
        binding.Raise(new CalendarBindingCreated(binding.Id, userId, scope, scopeId, enabled));
        return binding;
    }

    public void Rename(string? displayName, DateTimeOffset now)
    {
        DisplayName = Guard.OptionalText(displayName, DisplayNameMaxLength, nameof(displayName));
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>Points the binding at another calendar; the engine moves the app's events over.</summary>
    public void MoveToCalendar(string calendarPath, DateTimeOffset now)
    {
        var path = ValidCalendarPath(calendarPath);
        if (path == CalendarPath)
        {
            return;
        }

        var previous = CalendarPath;
        CalendarPath = path;
        ForgetPullState();
        RequestFullScan();
        SyncStatus = BindingSyncStatus.Pending;
        UpdatedAt = Instant.Normalize(now);
        Raise(new CalendarBindingCalendarChanged(Id, UserId, previous, path));
    }

    public void ChangeScope(BindingScope scope, Guid? scopeId, DateTimeOffset now)
    {
        EnsureScope(scope, scopeId);
        if (scope == Scope && scopeId == ScopeId)
        {
            return;
        }

        Scope = scope;
        ScopeId = scopeId;
        RequestFullScan();
        SyncStatus = BindingSyncStatus.Pending;
        UpdatedAt = Instant.Normalize(now);
        Raise(new CalendarBindingScopeChanged(Id, UserId, scope, scopeId));
    }

    public void Enable(DateTimeOffset now)
    {
        if (Enabled)
        {
            return;
        }

        Enabled = true;
        SyncStatus = BindingSyncStatus.Pending;
        UpdatedAt = Instant.Normalize(now);
        Raise(new CalendarBindingEnabled(Id, UserId));
    }

    public void Disable(DateTimeOffset now)
    {
        if (!Enabled)
        {
            return;
        }

        Enabled = false;
        UpdatedAt = Instant.Normalize(now);
        Raise(new CalendarBindingDisabled(Id, UserId));
    }

    /// <summary>Whether this tick reads everything (a full ETag reconciliation, and a push check of the whole scope): on
    /// the first pull, when the server gave no change markers to keep, and every <paramref name="every"/> ticks,
    /// because servers lose change-log rows.</summary>
    public bool FullReconcileDue(int every) => (SyncToken is null && Ctag is null) || TicksSinceFullReconcile + 1 >= Math.Max(1, every);

    /// <summary>Remembers where the server's change log stood after a pull.</summary>
    /// <remarks>Markers longer than <see cref="ChangeMarkerMaxLength"/> are forgotten (absent), never refused: a server
    /// that sends one just gets no "nothing changed" shortcut.</remarks>
    public void RecordPull(string? syncToken, string? ctag, bool fullReconcile)
    {
        SyncToken = Keepable(syncToken);
        Ctag = Keepable(ctag);
        TicksSinceFullReconcile = fullReconcile ? 0 : TicksSinceFullReconcile + 1;
    }

    /// <summary>The whole scope is looked at by the next tick: appointments that entered or left it did not change.</summary>
    private void RequestFullScan()
    {
        PushedThrough = null;
        FullScansRequested++;
    }

    /// <summary>A tick that started at <paramref name="tickStarted"/> pushed everything it found: changes before it
    /// (less <see cref="PushedThroughMargin"/>) need not be looked at again. Never moves backwards.</summary>
    public void RecordPushedThrough(DateTimeOffset tickStarted)
    {
        var through = Instant.Normalize(tickStarted - PushedThroughMargin);
        if (PushedThrough is null || through > PushedThrough)
        {
            PushedThrough = through;
        }
    }

    /// <summary>A tick applied calendar edits to these appointments: one event for all of them, so they reach the
    /// other calendars in one go rather than one fan-out per edit.</summary>
    public void RecordCalendarEditsPulled(IReadOnlyCollection<Guid> appointmentIds)
    {
        ArgumentNullException.ThrowIfNull(appointmentIds);
        if (appointmentIds.Count > 0)
        {
            Raise(new CalendarEditsPulled(Id, UserId, appointmentIds.Distinct().ToList()));
        }
    }

    /// <summary>Calendar edits the last tick held back as a mass change (<see cref="MassChangeThreshold"/>): neither
    /// applied nor overwritten until the user decides; 0 when nothing is held.</summary>
    public int HeldChanges { get; private set; }

    /// <summary>What the user decided about the held edits, for the next tick to carry out; null while undecided.</summary>
    public HeldDecision? HeldDecision { get; private set; }

    /// <summary>A tick found <paramref name="count"/> calendar edits at once, too many to be a person's (a phone's
    /// time-zone bug, an import gone wrong): they are held until the user decides — afresh, since what they decided
    /// (if anything) was about another count. The first hold says so in the activity feed; later ticks only update
    /// the count.</summary>
    public void HoldRemoteEdits(int count, DateTimeOffset now)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Only a positive number of edits is held.");
        }

        var first = HeldChanges == 0;
        HeldChanges = count;
        HeldDecision = null;
        if (first)
        {
            Raise(new RemoteEditsHeld(Guid.CreateVersion7(), Id, UserId, CalendarPath, count, Instant.Normalize(now)));
        }
    }

    /// <summary>The calendar no longer holds a mass change (its edits were undone there): nothing is held any more.</summary>
    public void ForgetHeldEdits()
    {
        HeldChanges = 0;
        HeldDecision = null;
    }

    /// <summary>The user decides about the held edits; the next tick carries it out. Nothing held: a conflict.</summary>
    public void DecideHeldEdits(HeldDecision decision, DateTimeOffset now)
    {
        if (HeldChanges == 0)
        {
            throw new DomainException("action", "No calendar edits are held on this binding.", DomainErrorKind.Conflict);
        }

        HeldDecision = decision;
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>A tick carried out the user's decision over <paramref name="count"/> edits: one activity line says so.</summary>
    public void RecordHeldEditsDecided(int count, DateTimeOffset now)
    {
        var decision = HeldDecision ?? throw new InvalidOperationException("No decision about held edits was taken.");
        HeldChanges = 0;
        HeldDecision = null;
        Raise(new HeldEditsDecided(Guid.CreateVersion7(), Id, UserId, CalendarPath, decision, count, Instant.Normalize(now)));
    }

    /// <summary>Forgets the change markers, so the next pull is a full listing (after a calendar move).</summary>
    private void ForgetPullState()
    {
        SyncToken = null;
        Ctag = null;
        TicksSinceFullReconcile = 0;
    }

    /// <summary>How a tick ended. <paramref name="error"/> says in plain words what failed (kept only while the status
    /// is error), <paramref name="errorDetail"/> the technical detail beside it. <paramref name="retryLater"/>: it could
    /// not finish (the server failed, answered something unusable, or the deadline passed), so the binding backs off
    /// exponentially — or longer, when the server asked for it (<paramref name="serverAskedToWait"/>, a Retry-After);
    /// anything else resets that.</summary>
    public void RecordSync(
        BindingSyncStatus status, string? error, DateTimeOffset finishedAt, bool retryLater = false, TimeSpan? serverAskedToWait = null, string? errorDetail = null)
    {
        SyncStatus = status == BindingSyncStatus.Ok && HeldChanges > 0 ? BindingSyncStatus.Held : status;
        LastSyncError = status == BindingSyncStatus.Error ? TextLimits.Clip(error, LastSyncErrorMaxLength) : null;
        LastSyncErrorDetail = status == BindingSyncStatus.Error ? TextLimits.Clip(errorDetail, LastSyncErrorMaxLength) : null;
        LastSyncAt = Instant.Normalize(finishedAt);
        if (retryLater)
        {
            ConsecutiveFailures++;
            var wait = RetryDelay(ConsecutiveFailures);
            NextAttemptAt = Instant.Normalize(finishedAt + (serverAskedToWait > wait ? serverAskedToWait.Value : wait));
        }
        else
        {
            ConsecutiveFailures = 0;
            NextAttemptAt = null;
        }
    }

    /// <summary>What Paliad does next about this binding, in plain words, to follow <see cref="LastSyncError"/>.</summary>
    public string NextStepSaid => SyncStatus switch
    {
        BindingSyncStatus.Pending => "Paliad goes on with the rest at once.",
        _ when NextAttemptAt is { } at => $"Paliad tries again at {at.UtcDateTime:HH:mm} UTC.",
        _ => "Paliad tries again at the next sync.",
    };

    /// <summary>1 min, 2, 4, … capped at 1 h, after the given number of failures in a row.</summary>
    public static TimeSpan RetryDelay(int consecutiveFailures)
    {
        if (consecutiveFailures <= 0)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(consecutiveFailures - 1, 30);
        var delay = FirstRetryDelay.Ticks * Math.Pow(2, doublings);
        return delay >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)delay);
    }

    private static string? Keepable(string? marker) => marker is { Length: > ChangeMarkerMaxLength } ? null : marker;

    /// <summary>Removes the binding. The event carries where its events are, because the target rows cascade away.</summary>
    public void Delete(bool keepRemoteEvents, IReadOnlyList<RemoteEventLocation> remoteEvents)
        => Raise(new CalendarBindingDeleted(Id, UserId, CalendarPath, keepRemoteEvents, remoteEvents));

    public static void EnsureScope(BindingScope scope, Guid? scopeId)
    {
        if (!Enum.IsDefined(scope))
        {
            throw new DomainException("scope", "'scope' is not a known scope.");
        }

        if (scope.NamesProject() && (scopeId is null || scopeId == Guid.Empty))
        {
            throw new DomainException("scopeId", $"The {Words.Of(scope)} scope needs 'scopeId'.");
        }

        if (!scope.NamesProject() && scopeId is not null)
        {
            throw new DomainException("scopeId", $"The {Words.Of(scope)} scope takes no 'scopeId'.");
        }
    }

    /// <summary>A calendar path is an absolute path on the configured server (see <see cref="CalendarCollectionPath"/>).</summary>
    private static string ValidCalendarPath(string calendarPath)
        => CalendarCollectionPath.Normalize(calendarPath, out var problem) ?? throw new DomainException(nameof(calendarPath), problem!);
}

public sealed record CalendarBindingCreated(Guid BindingId, Guid UserId, BindingScope Scope, Guid? ScopeId, bool Enabled) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record CalendarBindingScopeChanged(Guid BindingId, Guid UserId, BindingScope Scope, Guid? ScopeId) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record CalendarBindingCalendarChanged(Guid BindingId, Guid UserId, string PreviousCalendarPath, string CalendarPath) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record CalendarBindingEnabled(Guid BindingId, Guid UserId) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record CalendarBindingDisabled(Guid BindingId, Guid UserId) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

/// <summary>Calendar edits one tick of the binding applied to these appointments (each also raised its own
/// <c>AppointmentChanged</c>); the other calendars that carry them are updated once for all.</summary>
public sealed record CalendarEditsPulled(Guid BindingId, Guid UserId, IReadOnlyList<Guid> AppointmentIds) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

/// <summary>A tick held back <paramref name="Count"/> calendar edits as a mass change.</summary>
public sealed record RemoteEditsHeld(Guid EventId, Guid BindingId, Guid UserId, string CalendarPath, int Count, DateTimeOffset At) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

/// <summary>The user's decision about held edits was carried out over <paramref name="Count"/> edits.</summary>
public sealed record HeldEditsDecided(Guid EventId, Guid BindingId, Guid UserId, string CalendarPath, HeldDecision Decision, int Count, DateTimeOffset At)
    : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

public sealed record CalendarBindingDeleted(Guid BindingId, Guid UserId, string CalendarPath, bool KeepRemoteEvents, IReadOnlyList<RemoteEventLocation> RemoteEvents) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;

    RetryClass IDomainEvent.Retry => RetryClass.NeverGivesUp;
}
