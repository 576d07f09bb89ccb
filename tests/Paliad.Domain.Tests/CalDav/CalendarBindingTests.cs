using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.CalDav;

public sealed class CalendarBindingTests
{
    private static readonly Guid User = Guid.CreateVersion7();
    private static readonly Guid SomeProject = Guid.CreateVersion7();

    [TestCase(BindingScope.AllVisible)]
    [TestCase(BindingScope.PersonalOnly)]
    public void Scopes_without_a_project_refuse_a_scope_id(BindingScope scope)
    {
        Assert.DoesNotThrow(() => CalendarBinding.Create(User, "/dav/alice/master/", null, scope, null, true, Clock.Now));
        var error = Assert.Throws<DomainException>(() => CalendarBinding.Create(User, "/dav/alice/master/", null, scope, SomeProject, true, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("scopeId"));
    }

    [TestCase(BindingScope.Project)]
    [TestCase(BindingScope.Client)]
    [TestCase(BindingScope.Litigation)]
    [TestCase(BindingScope.Patent)]
    [TestCase(BindingScope.Case)]
    public void Project_scopes_need_a_scope_id(BindingScope scope)
    {
        Assert.DoesNotThrow(() => CalendarBinding.Create(User, "/dav/alice/acme/", null, scope, SomeProject, true, Clock.Now));
        var error = Assert.Throws<DomainException>(() => CalendarBinding.Create(User, "/dav/alice/acme/", null, scope, null, true, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("scopeId"));
    }

    [TestCase(BindingScope.Client, ProjectKind.Client)]
    [TestCase(BindingScope.Litigation, ProjectKind.Litigation)]
    [TestCase(BindingScope.Patent, ProjectKind.Patent)]
    [TestCase(BindingScope.Case, ProjectKind.Case)]
    public void Hierarchy_scopes_name_the_kind_they_require(BindingScope scope, ProjectKind kind)
    {
        Assert.That(scope.RequiredProjectKind(), Is.EqualTo(kind));
        Assert.That(scope.IncludesDescendants(), Is.True);
    }

    [Test]
    public void The_project_scope_takes_any_kind_and_no_descendants()
    {
        Assert.That(BindingScope.Project.RequiredProjectKind(), Is.Null);
        Assert.That(BindingScope.Project.IncludesDescendants(), Is.False);
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("calendars/alice")]
    [TestCase("https://evil.example/dav/alice/")]
    [TestCase("//evil.example/dav/")]
    public void Calendar_paths_must_be_absolute_paths_on_the_server(string path)
    {
        var error = Assert.Throws<DomainException>(() => CalendarBinding.Create(User, path, null, BindingScope.AllVisible, null, true, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("calendarPath"));
    }

    [Test]
    public void A_new_binding_is_pending_and_raises_CalendarBindingCreated()
    {
        var binding = CalendarBinding.Create(User, " /dav/alice/master/ ", "Master", BindingScope.AllVisible, null, true, Clock.Now);

        Assert.That(binding.CalendarPath, Is.EqualTo("/dav/alice/master/"));
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Pending));
        Assert.That(binding.DomainEvents.Single(), Is.EqualTo(new CalendarBindingCreated(binding.Id, User, BindingScope.AllVisible, null, true)));
    }

    [Test]
    public void Changing_the_scope_raises_ScopeChanged_once_and_marks_the_binding_pending()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/acme/", null, BindingScope.AllVisible, null, true, Clock.Now);
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);
        binding.DequeueDomainEvents();

        binding.ChangeScope(BindingScope.Client, SomeProject, Clock.Now);
        binding.ChangeScope(BindingScope.Client, SomeProject, Clock.Now);

        Assert.That(binding.DomainEvents.Single(), Is.EqualTo(new CalendarBindingScopeChanged(binding.Id, User, BindingScope.Client, SomeProject)));
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Pending));
    }

    [Test]
    public void A_scope_change_that_breaks_the_scope_id_rule_changes_nothing()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/acme/", null, BindingScope.AllVisible, null, true, Clock.Now);

        Assert.Throws<DomainException>(() => binding.ChangeScope(BindingScope.Project, null, Clock.Now));
        Assert.That(binding.Scope, Is.EqualTo(BindingScope.AllVisible));
    }

    [Test]
    public void Enable_and_disable_raise_an_event_only_when_the_state_flips()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/acme/", null, BindingScope.AllVisible, null, true, Clock.Now);
        binding.DequeueDomainEvents();

        binding.Enable(Clock.Now);
        binding.Disable(Clock.Now);
        binding.Disable(Clock.Now);
        binding.Enable(Clock.Now);

        Assert.That(binding.DomainEvents.Select(e => e.GetType()), Is.EqualTo(new[] { typeof(CalendarBindingDisabled), typeof(CalendarBindingEnabled) }));
    }

    [Test]
    public void An_ok_sync_clears_the_last_error()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/acme/", null, BindingScope.AllVisible, null, true, Clock.Now);
        binding.RecordSync(BindingSyncStatus.Error, "503 Service Unavailable", Clock.Now);

        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now.AddMinutes(1));

        Assert.That(binding.LastSyncError, Is.Null);
        Assert.That(binding.LastSyncAt, Is.EqualTo(Clock.Now.AddMinutes(1)));
    }

    private static CalendarBinding NewBinding() => CalendarBinding.Create(User, "/dav/alice/master/", null, BindingScope.AllVisible, null, true, Clock.Now);

    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(3, 4)]
    [TestCase(6, 32)]
    [TestCase(7, 60)]
    [TestCase(40, 60)]
    public void A_failing_binding_waits_longer_after_each_failure_up_to_an_hour(int failures, int minutes)
    {
        Assert.That(CalendarBinding.RetryDelay(failures), Is.EqualTo(TimeSpan.FromMinutes(minutes)));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void No_failure_means_no_wait(int failures)
    {
        Assert.That(CalendarBinding.RetryDelay(failures), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Each_failed_tick_backs_off_from_when_it_finished_and_a_success_resets_it()
    {
        var binding = NewBinding();

        binding.RecordSync(BindingSyncStatus.Error, "down", Clock.Now, retryLater: true);
        Assert.That(binding.ConsecutiveFailures, Is.EqualTo(1));
        Assert.That(binding.NextAttemptAt, Is.EqualTo(Clock.Now.AddMinutes(1)));

        binding.RecordSync(BindingSyncStatus.Error, "down", Clock.Now.AddMinutes(1), retryLater: true);
        Assert.That(binding.ConsecutiveFailures, Is.EqualTo(2));
        Assert.That(binding.NextAttemptAt, Is.EqualTo(Clock.Now.AddMinutes(3)));

        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now.AddMinutes(4));
        Assert.That(binding.ConsecutiveFailures, Is.Zero);
        Assert.That(binding.NextAttemptAt, Is.Null);
        Assert.That(binding.LastSyncError, Is.Null);
    }

    [Test]
    public void A_partial_tick_does_not_back_off()
    {
        var binding = NewBinding();
        binding.RecordSync(BindingSyncStatus.Error, "down", Clock.Now, retryLater: true);

        binding.RecordSync(BindingSyncStatus.Error, "1 event(s) not synced", Clock.Now.AddMinutes(2));

        Assert.That(binding.ConsecutiveFailures, Is.Zero);
        Assert.That(binding.NextAttemptAt, Is.Null);
        Assert.That(binding.LastSyncError, Is.EqualTo("1 event(s) not synced"));
    }

    [Test]
    public void A_very_long_error_is_clipped_to_the_column()
    {
        var binding = NewBinding();

        binding.RecordSync(BindingSyncStatus.Error, new string('x', CalendarBinding.LastSyncErrorMaxLength + 10), Clock.Now, retryLater: true);

        Assert.That(binding.LastSyncError, Has.Length.EqualTo(CalendarBinding.LastSyncErrorMaxLength));
    }

    [Test]
    public void Change_markers_too_long_to_keep_are_treated_as_absent()
    {
        var binding = NewBinding();
        var longest = new string('t', CalendarBinding.ChangeMarkerMaxLength);
        var tooLong = new string('t', CalendarBinding.ChangeMarkerMaxLength + 1);

        binding.RecordPull(longest, tooLong, fullReconcile: false);

        Assert.That(binding.SyncToken, Is.EqualTo(longest));
        Assert.That(binding.Ctag, Is.Null);

        binding.RecordPull(tooLong, longest, fullReconcile: false);

        Assert.That(binding.SyncToken, Is.Null);
        Assert.That(binding.Ctag, Is.EqualTo(longest));
    }

    [TestCase("/%2F127.0.0.2/cal/")]
    [TestCase("/dav/../x/")]
    public void A_binding_refuses_a_path_that_could_leave_the_server(string path)
    {
        var error = Assert.Throws<DomainException>(() => CalendarBinding.Create(User, path, null, BindingScope.AllVisible, null, true, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("calendarPath"));
    }

    [Test]
    public void A_binding_stores_the_normalised_path_and_a_move_to_another_spelling_is_no_move()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/caf%C3%A9", null, BindingScope.AllVisible, null, true, Clock.Now);
        binding.DequeueDomainEvents();

        binding.MoveToCalendar("/dav/alice/café/", Clock.Now);

        Assert.That(binding.CalendarPath, Is.EqualTo("/dav/alice/café/"));
        Assert.That(binding.DequeueDomainEvents(), Is.Empty);
    }

    [Test]
    public void An_hour_is_reached_exactly_and_never_passed()
    {
        // 1 min × 2^6 = 64 min: capped to the hour; 2^5 = 32 min stays.
        Assert.That(CalendarBinding.RetryDelay(6), Is.EqualTo(TimeSpan.FromMinutes(32)));
        Assert.That(CalendarBinding.RetryDelay(7), Is.EqualTo(CalendarBinding.MaxRetryDelay));
        Assert.That(CalendarBinding.FirstRetryDelay, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(CalendarBinding.MaxRetryDelay, Is.EqualTo(TimeSpan.FromHours(1)));
    }

    [Test]
    public void An_error_at_the_limit_is_kept_whole_and_an_ok_status_keeps_no_error()
    {
        var binding = NewBinding();
        var atLimit = new string('x', CalendarBinding.LastSyncErrorMaxLength);

        binding.RecordSync(BindingSyncStatus.Error, atLimit, Clock.Now);
        Assert.That(binding.LastSyncError, Is.EqualTo(atLimit));

        binding.RecordSync(BindingSyncStatus.Pending, "resumes next tick", Clock.Now);
        Assert.That(binding.LastSyncError, Is.Null);
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Pending));
        Assert.That(binding.LastSyncAt, Is.EqualTo(Clock.Now));
    }

    [Test]
    public void A_pull_counts_ticks_since_the_last_full_reconcile()
    {
        var binding = NewBinding();

        binding.RecordPull("t1", "c1", fullReconcile: false);
        binding.RecordPull("t2", "c2", fullReconcile: false);
        Assert.That(binding.TicksSinceFullReconcile, Is.EqualTo(2));

        binding.RecordPull("t3", "c3", fullReconcile: true);
        Assert.That(binding.TicksSinceFullReconcile, Is.Zero);
        Assert.That((binding.SyncToken, binding.Ctag), Is.EqualTo(("t3", "c3")));
    }

    [Test]
    public void Moving_to_another_calendar_forgets_the_change_markers_and_raises_one_event()
    {
        var binding = NewBinding();
        binding.RecordPull("t1", "c1", fullReconcile: false);
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);
        binding.DequeueDomainEvents();

        binding.MoveToCalendar("/dav/alice/other/", Clock.Now.AddMinutes(1));

        Assert.That((binding.SyncToken, binding.Ctag, binding.TicksSinceFullReconcile), Is.EqualTo(((string?)null, (string?)null, 0)));
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Pending));
        Assert.That(binding.UpdatedAt, Is.EqualTo(Clock.Now.AddMinutes(1)));
        Assert.That(binding.DequeueDomainEvents(), Is.EqualTo(new[] { new CalendarBindingCalendarChanged(binding.Id, User, "/dav/alice/master/", "/dav/alice/other/") }));
    }

    [Test]
    public void A_new_binding_has_no_push_mark_so_its_first_tick_looks_at_the_whole_scope()
    {
        var binding = NewBinding();

        Assert.That(binding.PushedThrough, Is.Null);
        Assert.That(binding.FullScansRequested, Is.Zero);
    }

    [Test]
    public void The_push_mark_stays_a_margin_behind_the_ticks_start_and_never_moves_back()
    {
        var binding = NewBinding();

        binding.RecordPushedThrough(Clock.Now);
        Assert.That(binding.PushedThrough, Is.EqualTo(Clock.Now - CalendarBinding.PushedThroughMargin));
        Assert.That(CalendarBinding.PushedThroughMargin, Is.EqualTo(TimeSpan.FromMinutes(5)));

        binding.RecordPushedThrough(Clock.Now.AddMinutes(-1));
        Assert.That(binding.PushedThrough, Is.EqualTo(Clock.Now - CalendarBinding.PushedThroughMargin), "an older tick does not move it back");

        binding.RecordPushedThrough(Clock.Now.AddMinutes(1));
        Assert.That(binding.PushedThrough, Is.EqualTo(Clock.Now.AddMinutes(1) - CalendarBinding.PushedThroughMargin));
    }

    [Test]
    public void A_scope_change_drops_the_push_mark_and_counts_a_full_scan_request()
    {
        var binding = NewBinding();
        binding.RecordPushedThrough(Clock.Now);

        binding.ChangeScope(BindingScope.PersonalOnly, null, Clock.Now);

        Assert.That(binding.PushedThrough, Is.Null);
        Assert.That(binding.FullScansRequested, Is.EqualTo(1));
    }

    [Test]
    public void A_move_to_another_calendar_drops_the_push_mark_and_a_move_to_the_same_one_keeps_it()
    {
        var binding = NewBinding();
        binding.RecordPushedThrough(Clock.Now);

        binding.MoveToCalendar(binding.CalendarPath, Clock.Now);
        Assert.That(binding.PushedThrough, Is.Not.Null);
        Assert.That(binding.FullScansRequested, Is.Zero);

        binding.MoveToCalendar("/dav/alice/other/", Clock.Now);
        Assert.That(binding.PushedThrough, Is.Null);
        Assert.That(binding.FullScansRequested, Is.EqualTo(1));
    }

    [Test]
    public void A_rename_or_an_unchanged_scope_keeps_the_push_mark()
    {
        var binding = NewBinding();
        binding.RecordPushedThrough(Clock.Now);

        binding.Rename("Court dates", Clock.Now);
        binding.ChangeScope(binding.Scope, binding.ScopeId, Clock.Now);

        Assert.That(binding.PushedThrough, Is.EqualTo(Clock.Now - CalendarBinding.PushedThroughMargin));
        Assert.That(binding.FullScansRequested, Is.Zero);
    }

    [TestCase(null, null, 0, 20, true)]
    [TestCase("t", null, 0, 20, false)]
    [TestCase(null, "c", 0, 20, false)]
    [TestCase("t", "c", 18, 20, false)]
    [TestCase("t", "c", 19, 20, true)]
    [TestCase("t", "c", 0, 1, true)]
    [TestCase("t", "c", 0, 0, true)]
    public void A_full_reconcile_is_due_without_markers_and_every_n_ticks(string? token, string? ctag, int ticksSince, int every, bool due)
    {
        var binding = NewBinding();
        binding.RecordPull(token, ctag, fullReconcile: true);
        for (var i = 0; i < ticksSince; i++)
        {
            binding.RecordPull(token, ctag, fullReconcile: false);
        }

        Assert.That(binding.TicksSinceFullReconcile, Is.EqualTo(ticksSince));
        Assert.That(binding.FullReconcileDue(every), Is.EqualTo(due));
    }

    [Test]
    public void Edits_a_tick_applied_raise_one_event_with_each_appointment_once()
    {
        var binding = NewBinding();
        binding.DequeueDomainEvents();
        var (a, b) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        binding.RecordCalendarEditsPulled([a, b, a]);

        var raised = binding.DequeueDomainEvents().Cast<CalendarEditsPulled>().Single();
        Assert.That((raised.BindingId, raised.UserId), Is.EqualTo((binding.Id, User)));
        Assert.That(raised.AppointmentIds, Is.EqualTo(new[] { a, b }));
    }

    [Test]
    public void A_tick_that_applied_no_edit_raises_nothing()
    {
        var binding = NewBinding();
        binding.DequeueDomainEvents();

        binding.RecordCalendarEditsPulled([]);

        Assert.That(binding.DequeueDomainEvents(), Is.Empty);
    }

    [Test]
    public void Changing_only_the_scope_id_is_a_scope_change()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/acme/", null, BindingScope.Project, SomeProject, true, Clock.Now);
        binding.DequeueDomainEvents();
        var other = Guid.CreateVersion7();

        binding.ChangeScope(BindingScope.Project, other, Clock.Now);

        Assert.That(binding.ScopeId, Is.EqualTo(other));
        Assert.That(binding.DequeueDomainEvents(), Has.Count.EqualTo(1));
    }

    [Test]
    public void Enabling_a_disabled_binding_makes_it_enabled_and_pending()
    {
        var binding = CalendarBinding.Create(User, "/dav/alice/master/", null, BindingScope.AllVisible, null, false, Clock.Now);
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);

        binding.Enable(Clock.Now);

        Assert.That(binding.Enabled, Is.True);
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Pending));
    }

    [Test]
    public void Scope_rule_messages_name_the_scope()
    {
        var needs = Assert.Throws<DomainException>(() => CalendarBinding.EnsureScope(BindingScope.Client, null));
        var takesNone = Assert.Throws<DomainException>(() => CalendarBinding.EnsureScope(BindingScope.PersonalOnly, SomeProject));
        var unknown = Assert.Throws<DomainException>(() => CalendarBinding.EnsureScope((BindingScope)99, null));

        Assert.That(needs!.Message, Does.Contain("client"));
        Assert.That(takesNone!.Message, Does.Contain("personal_only"));
        Assert.That(unknown!.Field, Is.EqualTo("scope"));
        Assert.That(unknown.Message, Does.Contain("not a known scope"));
    }

    [TestCase(600, 600)]
    [TestCase(30, 60)]
    [TestCase(60, 60)]
    public void A_server_that_asks_for_a_longer_wait_gets_it(int retryAfterSeconds, int expectedSeconds)
    {
        var binding = NewBinding();

        binding.RecordSync(BindingSyncStatus.Error, "429", Clock.Now, retryLater: true, serverAskedToWait: TimeSpan.FromSeconds(retryAfterSeconds));

        Assert.That(binding.NextAttemptAt, Is.EqualTo(Clock.Now.AddSeconds(expectedSeconds)));
    }

    [Test]
    public void An_error_keeps_its_technical_detail_beside_the_plain_words_and_an_ok_sync_clears_both()
    {
        var binding = NewBinding();

        binding.RecordSync(BindingSyncStatus.Error, "Your calendar server could not be reached.", Clock.Now, retryLater: true,
            errorDetail: "PROPFIND /dav/alice/master/: Connection refused");
        Assert.That((binding.LastSyncError, binding.LastSyncErrorDetail),
            Is.EqualTo(("Your calendar server could not be reached.", "PROPFIND /dav/alice/master/: Connection refused")));

        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now.AddMinutes(1), errorDetail: "ignored");
        Assert.That((binding.LastSyncError, binding.LastSyncErrorDetail), Is.EqualTo(((string?)null, (string?)null)));
    }

    [Test]
    public void A_very_long_detail_is_clipped_to_the_column()
    {
        var binding = NewBinding();

        binding.RecordSync(BindingSyncStatus.Error, "failed", Clock.Now, errorDetail: new string('x', CalendarBinding.LastSyncErrorMaxLength + 1));

        Assert.That(binding.LastSyncErrorDetail, Has.Length.EqualTo(CalendarBinding.LastSyncErrorMaxLength));
    }

    [Test]
    public void What_Paliad_does_next_follows_the_backoff_and_the_status()
    {
        var binding = NewBinding();
        Assert.That(binding.NextStepSaid, Is.EqualTo("Paliad goes on with the rest at once."), "a new binding is pending");
        binding.RecordSync(BindingSyncStatus.Error, "1 event could not be synced.", Clock.Now);
        Assert.That(binding.NextStepSaid, Is.EqualTo("Paliad tries again at the next sync."));

        binding.RecordSync(BindingSyncStatus.Error, "down", new DateTimeOffset(2026, 12, 3, 10, 41, 0, TimeSpan.Zero), retryLater: true);
        Assert.That(binding.NextStepSaid, Is.EqualTo("Paliad tries again at 10:42 UTC."), "one minute after the first failure");

        binding.RecordSync(BindingSyncStatus.Pending, null, Clock.Now);
        Assert.That(binding.NextStepSaid, Is.EqualTo("Paliad goes on with the rest at once."));
    }
}
