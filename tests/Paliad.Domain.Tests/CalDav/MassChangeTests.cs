using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

/// <summary>A calendar's mass change is held until the user decides, and the feed says so in one line.</summary>
public sealed class MassChangeTests
{
    private static readonly Guid Alice = Guid.CreateVersion7();

    private static CalendarBinding Binding()
    {
        var binding = CalendarBinding.Create(Alice, "/dav/alice/phone/", "Phone", BindingScope.PersonalOnly, null, true, Clock.Now);
        binding.DequeueDomainEvents();
        return binding;
    }

    [TestCase(11, 40, true)]
    [TestCase(10, 40, false)] // not more than 10
    [TestCase(30, 40, true)]
    [TestCase(11, 44, false)] // exactly 25 %
    [TestCase(11, 43, true)] // just above 25 %
    [TestCase(50, 1000, false)] // many, but a small share of a large calendar
    [TestCase(251, 1000, true)]
    [TestCase(11, 0, true)] // edits of events the binding no longer counts
    public void A_mass_change_is_more_than_ten_edits_and_more_than_a_quarter_of_the_events(int edits, int events, bool mass)
    {
        Assert.That(new MassChangeThreshold().IsMassChange(edits, events), Is.EqualTo(mass));
    }

    [Test]
    public void The_threshold_is_configurable_and_counts_without_overflow()
    {
        var threshold = new MassChangeThreshold(MoreThan: 2, PercentOfEvents: 50);

        Assert.That(threshold.IsMassChange(3, 5), Is.True);
        Assert.That(threshold.IsMassChange(3, 6), Is.False);
        Assert.That(threshold.IsMassChange(2, 1), Is.False);
        Assert.That(new MassChangeThreshold(0, 100).IsMassChange(int.MaxValue, int.MaxValue - 1), Is.True);
        Assert.That(new MassChangeThreshold(0, 100).IsMassChange(int.MaxValue, int.MaxValue), Is.False);
    }

    [Test]
    public void Holding_edits_counts_them_raises_one_event_and_makes_an_ok_sync_held()
    {
        var binding = Binding();

        binding.HoldRemoteEdits(30, Clock.Now);
        binding.HoldRemoteEdits(31, Clock.Now.AddMinutes(1));
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);

        Assert.That(binding.HeldChanges, Is.EqualTo(31));
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Held));
        var held = binding.DequeueDomainEvents().OfType<RemoteEditsHeld>().Single();
        Assert.That((held.BindingId, held.UserId, held.CalendarPath, held.Count, held.At), Is.EqualTo((binding.Id, Alice, "/dav/alice/phone/", 30, Clock.Now)));
    }

    [Test]
    public void A_failed_sync_of_a_held_binding_is_an_error_and_without_held_edits_ok_is_ok()
    {
        var binding = Binding();
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Ok));

        binding.HoldRemoteEdits(12, Clock.Now);
        binding.RecordSync(BindingSyncStatus.Error, "503", Clock.Now);

        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Error));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Nothing_or_less_cannot_be_held(int count)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Binding().HoldRemoteEdits(count, Clock.Now));

        Assert.That(error!.Message, Does.Contain("Only a positive number of edits is held."));
    }

    [Test]
    public void Deciding_without_held_edits_is_a_conflict()
    {
        var error = Assert.Throws<DomainException>(() => Binding().DecideHeldEdits(HeldDecision.Apply, Clock.Now));

        Assert.That(error!.Kind, Is.EqualTo(DomainErrorKind.Conflict));
        Assert.That(error.Field, Is.EqualTo("action"));
        Assert.That(error.Message, Is.EqualTo("No calendar edits are held on this binding."));
    }

    [TestCase(HeldDecision.Apply)]
    [TestCase(HeldDecision.Revert)]
    public void A_decision_is_kept_until_a_tick_carries_it_out_then_one_event_says_what_was_done(HeldDecision decision)
    {
        var binding = Binding();
        binding.HoldRemoteEdits(30, Clock.Now);
        binding.DequeueDomainEvents();

        binding.DecideHeldEdits(decision, Clock.Now.AddMinutes(5));
        Assert.That((binding.HeldDecision, binding.HeldChanges, binding.UpdatedAt), Is.EqualTo((decision, 30, Clock.Now.AddMinutes(5))));
        binding.RecordHeldEditsDecided(29, Clock.Now.AddMinutes(6));

        Assert.That((binding.HeldDecision, binding.HeldChanges), Is.EqualTo(((HeldDecision?)null, 0)));
        var decided = binding.DequeueDomainEvents().OfType<HeldEditsDecided>().Single();
        Assert.That((decided.BindingId, decided.UserId, decided.Decision, decided.Count, decided.At), Is.EqualTo((binding.Id, Alice, decision, 29, Clock.Now.AddMinutes(6))));
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);
        Assert.That(binding.SyncStatus, Is.EqualTo(BindingSyncStatus.Ok));
    }

    [Test]
    public void Holding_a_new_count_asks_for_a_new_decision()
    {
        var binding = Binding();
        binding.HoldRemoteEdits(12, Clock.Now);
        binding.DecideHeldEdits(HeldDecision.Apply, Clock.Now);

        binding.HoldRemoteEdits(40, Clock.Now);

        Assert.That((binding.HeldChanges, binding.HeldDecision), Is.EqualTo((40, (HeldDecision?)null)));
    }

    [Test]
    public void Carrying_out_a_decision_that_was_never_taken_is_a_bug()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Binding().RecordHeldEditsDecided(1, Clock.Now));

        Assert.That(error!.Message, Is.EqualTo("No decision about held edits was taken."));
    }

    [Test]
    public void Forgetting_held_edits_clears_the_count_and_the_decision()
    {
        var binding = Binding();
        binding.HoldRemoteEdits(12, Clock.Now);
        binding.DecideHeldEdits(HeldDecision.Revert, Clock.Now);

        binding.ForgetHeldEdits();
        binding.RecordSync(BindingSyncStatus.Ok, null, Clock.Now);

        Assert.That((binding.HeldChanges, binding.HeldDecision, binding.SyncStatus), Is.EqualTo((0, (HeldDecision?)null, BindingSyncStatus.Ok)));
        binding.DequeueDomainEvents();
        binding.HoldRemoteEdits(13, Clock.Now);
        Assert.That(binding.DequeueDomainEvents().OfType<RemoteEditsHeld>().Count(), Is.EqualTo(1), "held again after forgetting: said again");
    }

    [Test]
    public void The_feed_says_a_hold_and_each_decision_in_one_line_about_the_binding()
    {
        var binding = Binding();
        var at = Clock.Now;

        var held = ActivityEntry.For(new RemoteEditsHeld(Guid.CreateVersion7(), binding.Id, Alice, "/dav/alice/phone/", 30, at));
        var applied = ActivityEntry.For(new HeldEditsDecided(Guid.CreateVersion7(), binding.Id, Alice, "/dav/alice/phone/", HeldDecision.Apply, 30, at));
        var reverted = ActivityEntry.For(new HeldEditsDecided(Guid.CreateVersion7(), binding.Id, Alice, "/dav/alice/phone/", HeldDecision.Revert, 30, at));

        Assert.That((held.Kind, applied.Kind, reverted.Kind), Is.EqualTo((ActivityKind.RemoteEditsHeld, ActivityKind.HeldEditsApplied, ActivityKind.HeldEditsReverted)));
        Assert.That(held.Detail, Is.EqualTo("Your calendar /dav/alice/phone/ changed 30 appointments at once. Nothing was changed in Paliad: "
            + "choose whether to apply those changes or put Paliad's appointments back."));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((RemoteEditsHeld)null!));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((HeldEditsDecided)null!));
        Assert.That(applied.Detail, Does.Contain("applied 30 held changes").And.Contain("/dav/alice/phone/"));
        Assert.That(reverted.Detail, Does.Contain("Paliad's version back over 30 held changes"));
        foreach (var line in new[] { held, applied, reverted })
        {
            Assert.That((line.UserId, line.BindingId, line.AppointmentId, line.AppointmentTitle, line.CalendarPath, line.At),
                Is.EqualTo((Alice, (Guid?)binding.Id, (Guid?)null, string.Empty, "/dav/alice/phone/", at)));
        }
    }

    [TestCase(30, 40, 0, null, PulledEditsAction.Hold)]
    [TestCase(1, 40, 0, null, PulledEditsAction.ApplyAsUsual)]
    [TestCase(0, 40, 0, null, PulledEditsAction.ApplyAsUsual)]
    [TestCase(30, 40, 30, HeldDecision.Apply, PulledEditsAction.ApplyDecided)]
    [TestCase(29, 40, 30, HeldDecision.Apply, PulledEditsAction.ApplyDecided)]
    [TestCase(31, 40, 30, HeldDecision.Apply, PulledEditsAction.Hold)] // more than the user was shown
    [TestCase(31, 400, 30, HeldDecision.Apply, PulledEditsAction.ApplyAsUsual)] // judged afresh: no longer a mass change
    [TestCase(45, 40, 30, HeldDecision.Revert, PulledEditsAction.RevertDecided)] // reverting more is still safe
    [TestCase(0, 40, 30, HeldDecision.Revert, PulledEditsAction.RevertDecided)]
    [TestCase(30, 40, 0, HeldDecision.Apply, PulledEditsAction.Hold)] // a decision left over with nothing held counts for nothing
    [TestCase(30, 40, 30, null, PulledEditsAction.Hold)]
    public void The_plan_settles_pulled_edits_by_the_decision_that_covers_them_else_by_the_threshold(
        int edits, int events, int held, HeldDecision? decision, PulledEditsAction expected)
    {
        Assert.That(HeldEditsPlan.Choose(edits, events, held, decision, new MassChangeThreshold()), Is.EqualTo(expected));
    }

    [Test]
    public void A_decision_covers_edits_only_while_something_is_held()
    {
        Assert.That(HeldEditsPlan.DecisionFor(5, 0, HeldDecision.Revert), Is.Null);
        Assert.That(HeldEditsPlan.DecisionFor(5, 5, HeldDecision.Apply), Is.EqualTo(HeldDecision.Apply));
        Assert.That(HeldEditsPlan.DecisionFor(6, 5, HeldDecision.Apply), Is.Null);
        Assert.That(HeldEditsPlan.DecisionFor(6, 5, HeldDecision.Revert), Is.EqualTo(HeldDecision.Revert));
        Assert.Throws<ArgumentNullException>(() => HeldEditsPlan.Choose(1, 1, 0, null, null!));
    }
}
