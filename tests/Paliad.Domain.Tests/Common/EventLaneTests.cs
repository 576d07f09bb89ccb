using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.Common;

/// <summary>Every event names the user whose outbox lane it runs in, and how long its handling is retried.</summary>
public sealed class EventLaneTests
{
    private static readonly Guid User = Guid.CreateVersion7();
    private static readonly Guid Someone = Guid.CreateVersion7();
    private static readonly ActivitySubject Subject = new(User, Someone, "/cal/", Someone, "Hearing", Clock.Now, false, "UTC");

    public static IEnumerable<TestCaseData> Events()
    {
        IDomainEvent[] events =
        [
            new ProjectCreated(Someone, null, ProjectKind.Client, User),
            new ProjectMemberAdded(Someone, User, ProjectRole.Editor),
            new ProjectMemberRoleChanged(Someone, User, ProjectRole.Viewer),
            new ProjectMemberRemoved(Someone, User),
            new UserProvisioned(User, "a@b.example"),
            new AppointmentCreated(Someone, User, Someone),
            new AppointmentChanged(Someone, User, null, Someone, 2),
            new AppointmentDeleted(Someone, User, null, []),
            new CalendarBindingCreated(Someone, User, BindingScope.AllVisible, null, true),
            new CalendarBindingScopeChanged(Someone, User, BindingScope.PersonalOnly, null),
            new CalendarBindingCalendarChanged(Someone, User, "/a/", "/b/"),
            new CalendarBindingEnabled(Someone, User),
            new CalendarBindingDisabled(Someone, User),
            new CalendarBindingDeleted(Someone, User, "/a/", false, []),
            new CalendarEditsPulled(Someone, User, [Someone]),
            new RemoteEditsHeld(Someone, Someone, User, "/a/", 12, Clock.Now),
            new HeldEditsDecided(Someone, Someone, User, "/a/", HeldDecision.Apply, 12, Clock.Now),
            new RemoteEditApplied(Someone, Subject, Clock.Now, ["title"]),
            new RemoteEditOverwritten(Someone, Subject, Clock.Now, "t", RemoteEditLoss.ViewOnly, Clock.Now),
            new RemoteDeletionReverted(Someone, Subject, Clock.Now),
            new RemoteSeriesReverted(Someone, Subject, Clock.Now, "t"),
            new CalDavConfigured(User, "/a/"),
            new CalDavAccountChanged(User),
        ];
        return events.Select(e => new TestCaseData(e).SetName($"{e.GetType().Name} runs in its user's lane"));
    }

    [TestCaseSource(nameof(Events))]
    public void Every_event_runs_in_the_lane_of_the_user_it_concerns(IDomainEvent domainEvent)
    {
        Assert.That(domainEvent.Lane, Is.EqualTo(User));
    }

    [Test]
    public void Every_kind_of_event_is_covered_here()
    {
        var covered = Events().Select(c => c.Arguments[0]!.GetType()).ToHashSet();
        var all = typeof(IDomainEvent).Assembly.GetTypes().Where(t => typeof(IDomainEvent).IsAssignableFrom(t) && !t.IsInterface);

        Assert.That(all.Where(t => !covered.Contains(t)), Is.Empty);
    }

    [Test]
    public void Removing_events_from_calendars_never_gives_up_and_nothing_else_is_retried_forever()
    {
        var forever = Events().Select(c => (IDomainEvent)c.Arguments[0]!).Where(e => e.Retry == RetryClass.NeverGivesUp).Select(e => e.GetType());

        Assert.That(forever, Is.EquivalentTo(new[] { typeof(AppointmentDeleted), typeof(CalendarBindingDeleted) }));
    }

    [Test]
    public void Only_membership_changes_redo_everything_for_their_user_so_the_latest_covers_the_earlier()
    {
        var resyncs = Events().Select(c => c.Arguments[0]!).OfType<IResyncsItsUser>().Select(e => e.GetType());

        Assert.That(resyncs, Is.EquivalentTo(new[] { typeof(ProjectMemberAdded), typeof(ProjectMemberRemoved) }));
    }
}
