using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

/// <summary>The copy raises what its user should know, and the feed says it in plain words.</summary>
public sealed class ActivityTests
{
    private static readonly Guid Alice = Guid.CreateVersion7();

    private static (CalendarBinding Binding, Appointment Appointment, AppointmentTarget Target) Setup()
    {
        var binding = CalendarBinding.Create(Alice, "/dav/alice/phone/", "Phone", BindingScope.PersonalOnly, null, true, Clock.Now);
        var startsAt = new DateTimeOffset(2026, 12, 3, 8, 30, 0, TimeSpan.Zero);
        var appointment = Appointment.Create(Alice, null,
            new AppointmentDetails("Oral hearing", null, "LG Düsseldorf", startsAt, startsAt.AddHours(2), false, "Europe/Berlin"), Clock.Now);
        var target = AppointmentTarget.RecordCreated(appointment.Id, binding.Id, "uid", "/dav/alice/phone/uid.ics", "\"1\"", "hash", Clock.Now);
        return (binding, appointment, target);
    }

    [Test]
    public void An_applied_edit_names_the_appointment_the_calendar_and_what_changed()
    {
        var (binding, appointment, target) = Setup();

        target.RecordRemoteEditApplied(binding, appointment, ["title", "location"], Clock.Now);

        var raised = target.DequeueDomainEvents().OfType<RemoteEditApplied>().Single();
        Assert.That(raised.Subject, Is.EqualTo(ActivitySubject.Of(binding, appointment)));
        Assert.That((raised.Subject.UserId, raised.Subject.BindingId, raised.Subject.AppointmentId), Is.EqualTo((Alice, binding.Id, appointment.Id)));
        Assert.That(raised.Subject.CalendarPath, Is.EqualTo("/dav/alice/phone/"));
        Assert.That(raised.ChangedFields, Is.EqualTo(new[] { "title", "location" }));
        Assert.That(raised.EventId, Is.Not.EqualTo(Guid.Empty));

        var entry = ActivityEntry.For(raised);
        Assert.That(entry.Id, Is.EqualTo(raised.EventId), "one line per event, however often it is delivered");
        Assert.That((entry.Kind, entry.UserId, entry.AppointmentId, entry.BindingId), Is.EqualTo((ActivityKind.RemoteEditApplied, Alice, appointment.Id, (Guid?)binding.Id)));
        Assert.That((entry.AppointmentTitle, entry.CalendarPath, entry.At), Is.EqualTo(("Oral hearing", "/dav/alice/phone/", Clock.Now)));
        Assert.That(entry.Detail, Is.EqualTo("Your change in your calendar to 'Oral hearing' (3 Dec 2026) was applied in Paliad (title, location)."));
    }

    [Test]
    public void An_overwritten_edit_says_what_the_phone_said_and_when_Paliad_changed_it_in_the_appointments_zone()
    {
        var (binding, appointment, target) = Setup();
        appointment.Change(appointment.Details with { Location = "Saal 2" }, new DateTimeOffset(2026, 11, 27, 9, 2, 0, TimeSpan.Zero));

        target.RecordRemoteEditOverwritten(binding, appointment, "Hearing moved?", RemoteEditLoss.ChangedInPaliad, Clock.Now);

        var raised = target.DequeueDomainEvents().OfType<RemoteEditOverwritten>().Single();
        Assert.That((raised.RemoteTitle, raised.Loss), Is.EqualTo(("Hearing moved?", RemoteEditLoss.ChangedInPaliad)));
        Assert.That(ActivityEntry.For(raised).Detail, Is.EqualTo(
            "Your change in your calendar to 'Oral hearing' (3 Dec 2026) (it said 'Hearing moved?') was overwritten because it was changed in Paliad at 10:02 on 27 Nov."));
    }

    [TestCase(RemoteEditLoss.ViewOnly, "Oral hearing", "because you may only view this appointment.")]
    [TestCase(RemoteEditLoss.Unreadable, null, "because your calendar's copy could not be read.")]
    [TestCase(RemoteEditLoss.Unreadable, " ", "because your calendar's copy could not be read.")]
    public void An_overwritten_edit_says_why_it_lost(RemoteEditLoss loss, string? remoteTitle, string because)
    {
        var (binding, appointment, target) = Setup();

        target.RecordRemoteEditOverwritten(binding, appointment, remoteTitle, loss, Clock.Now);

        var entry = ActivityEntry.For(target.DequeueDomainEvents().OfType<RemoteEditOverwritten>().Single());
        Assert.That(entry.Kind, Is.EqualTo(ActivityKind.RemoteEditOverwritten));
        // No "(it said …)": the same title as Paliad's, or none, says nothing new.
        Assert.That(entry.Detail, Is.EqualTo($"Your change in your calendar to 'Oral hearing' (3 Dec 2026) was overwritten {because}"));
    }

    [Test]
    public void An_applied_edit_without_named_fields_says_its_details()
    {
        var (binding, appointment, target) = Setup();

        target.RecordRemoteEditApplied(binding, appointment, [], Clock.Now);

        Assert.That(ActivityEntry.For(target.DequeueDomainEvents().OfType<RemoteEditApplied>().Single()).Detail,
            Is.EqualTo("Your change in your calendar to 'Oral hearing' (3 Dec 2026) was applied in Paliad (its details)."));
    }

    [Test]
    public void Every_factory_refuses_null()
    {
        var (binding, appointment, target) = Setup();

        Assert.Throws<ArgumentNullException>(() => ActivitySubject.Of(null!, appointment));
        Assert.Throws<ArgumentNullException>(() => ActivitySubject.Of(binding, null!));
        Assert.Throws<ArgumentNullException>(() => target.RecordRemoteEditOverwritten(binding, null!, "x", RemoteEditLoss.ViewOnly, Clock.Now));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((RemoteEditApplied)null!));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((RemoteEditOverwritten)null!));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((RemoteDeletionReverted)null!));
        Assert.Throws<ArgumentNullException>(() => ActivityEntry.For((RemoteSeriesReverted)null!));
    }

    [Test]
    public void A_reverted_deletion_and_a_reverted_series_are_reported()
    {
        var (binding, appointment, target) = Setup();

        target.RecordRemoteDeletionReverted(binding, appointment, Clock.Now);
        target.RecordRemoteSeriesReverted(binding, appointment, "Weekly hearing", Clock.Now);

        var raised = target.DequeueDomainEvents();
        var deletion = ActivityEntry.For(raised.OfType<RemoteDeletionReverted>().Single());
        var series = ActivityEntry.For(raised.OfType<RemoteSeriesReverted>().Single());
        Assert.That(deletion.Kind, Is.EqualTo(ActivityKind.RemoteDeletionReverted));
        Assert.That(deletion.Detail, Is.EqualTo("'Oral hearing' (3 Dec 2026) was deleted in your calendar and put back: appointments are removed in Paliad only."));
        Assert.That(series.Kind, Is.EqualTo(ActivityKind.RemoteSeriesReverted));
        Assert.That(series.Detail, Is.EqualTo("'Oral hearing' (3 Dec 2026) was made a repeating event (or one occurrence was changed) in your calendar and put "
            + "back as a single event: Paliad's appointments do not repeat."));
        Assert.That(raised.OfType<RemoteSeriesReverted>().Single().RemoteTitle, Is.EqualTo("Weekly hearing"));
    }

    [Test]
    public void A_line_whose_binding_was_deleted_keeps_everything_else()
    {
        var (binding, appointment, target) = Setup();
        target.RecordRemoteDeletionReverted(binding, appointment, Clock.Now);
        var entry = ActivityEntry.For(target.DequeueDomainEvents().OfType<RemoteDeletionReverted>().Single());

        entry.ForgetBinding();

        Assert.That(entry.BindingId, Is.Null);
        Assert.That(entry.CalendarPath, Is.EqualTo("/dav/alice/phone/"));
    }

    [Test]
    public void Foreign_parts_beyond_the_limit_or_empty_are_not_kept()
    {
        var (_, _, target) = Setup();

        target.KeepForeignParts("BEGIN:VCALENDAR");
        Assert.That(target.ForeignParts, Is.EqualTo("BEGIN:VCALENDAR"));
        target.KeepForeignParts(new string('x', AppointmentTarget.ForeignPartsMaxLength + 1));
        Assert.That(target.ForeignParts, Is.Null);
        target.KeepForeignParts(new string('x', AppointmentTarget.ForeignPartsMaxLength));
        Assert.That(target.ForeignParts, Has.Length.EqualTo(AppointmentTarget.ForeignPartsMaxLength));
        target.KeepForeignParts(string.Empty);
        Assert.That(target.ForeignParts, Is.Null);
    }
}
