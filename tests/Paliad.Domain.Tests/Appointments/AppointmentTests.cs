using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.Appointments;

public sealed class AppointmentTests
{
    private static readonly Guid Owner = Guid.CreateVersion7();

    private static AppointmentDetails Hearing(
        string title = "Oral hearing, Acme v. Beta",
        DateTimeOffset? startsAt = null,
        DateTimeOffset? endsAt = null,
        string timeZone = "Europe/Berlin")
    {
        var start = startsAt ?? new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.FromHours(1));
        return new AppointmentDetails(title, "Bring the claim charts", "Landgericht Düsseldorf", start, endsAt ?? start.AddHours(2), false, timeZone);
    }

    [Test]
    public void Create_raises_AppointmentCreated_with_the_new_id()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);

        var created = appointment.DomainEvents.OfType<AppointmentCreated>().Single();
        Assert.That(created.AppointmentId, Is.EqualTo(appointment.Id));
        Assert.That(appointment.Id, Is.Not.EqualTo(Guid.Empty));
        Assert.That(appointment.Version, Is.EqualTo(1));
    }

    [Test]
    public void Instants_are_stored_in_utc_at_microsecond_precision()
    {
        var start = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.FromHours(1)).AddTicks(7);
        var appointment = Appointment.Create(Owner, null, Hearing(startsAt: start, endsAt: start.AddHours(1)), Clock.Now);

        Assert.That(appointment.StartsAt.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(appointment.StartsAt, Is.EqualTo(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero)));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void A_blank_title_is_refused(string title)
    {
        var error = Assert.Throws<DomainException>(() => Appointment.Create(Owner, null, Hearing(title: title), Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("title"));
    }

    [Test]
    public void The_title_may_be_exactly_the_maximum_length_but_not_longer()
    {
        Assert.DoesNotThrow(() => Appointment.Create(Owner, null, Hearing(title: new string('x', Appointment.TitleMaxLength)), Clock.Now));
        var error = Assert.Throws<DomainException>(
            () => Appointment.Create(Owner, null, Hearing(title: new string('x', Appointment.TitleMaxLength + 1)), Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("title"));
    }

    [Test]
    public void An_appointment_may_end_when_it_starts_but_not_before()
    {
        var start = Clock.Now.AddDays(3);
        Assert.DoesNotThrow(() => Appointment.Create(Owner, null, Hearing(startsAt: start, endsAt: start), Clock.Now));
        var error = Assert.Throws<DomainException>(
            () => Appointment.Create(Owner, null, Hearing(startsAt: start, endsAt: start.AddTicks(-10)), Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("endsAt"));
    }

    [Test]
    public void An_end_before_the_start_is_explained_with_both_field_names()
    {
        var start = Clock.Now.AddDays(3);

        var error = Assert.Throws<DomainException>(
            () => Appointment.Create(Owner, null, Hearing(startsAt: start, endsAt: start.AddMinutes(-1)), Clock.Now));

        Assert.That(error!.Message, Does.Contain("'endsAt'").And.Contain("'startsAt'"));
    }

    [TestCase("Europe/Berlin", true)]
    [TestCase("America/New_York", true)]
    [TestCase("UTC", true)]
    [TestCase("Mars/Olympus_Mons", false)]
    [TestCase("W. Europe Standard Time", false)]
    public void Only_IANA_time_zones_are_accepted(string timeZone, bool accepted)
    {
        Assert.That(Appointment.IsKnownTimeZone(timeZone), Is.EqualTo(accepted));
    }

    [Test]
    public void Change_with_the_same_details_raises_nothing_and_keeps_the_version()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        var changed = appointment.Change(appointment.Details, Clock.Now.AddMinutes(5));

        Assert.That(changed, Is.False);
        Assert.That(appointment.DomainEvents, Is.Empty);
        Assert.That(appointment.Version, Is.EqualTo(1));
    }

    [Test]
    public void Change_raises_AppointmentChanged_and_bumps_the_version()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        appointment.Change(appointment.Details with { Location = "Saal 2.104" }, Clock.Now.AddMinutes(5));

        var changed = appointment.DomainEvents.OfType<AppointmentChanged>().Single();
        Assert.That(changed.Version, Is.EqualTo(2));
        Assert.That(appointment.Location, Is.EqualTo("Saal 2.104"));
        Assert.That(appointment.UpdatedAt, Is.EqualTo(Clock.Now.AddMinutes(5)));
    }

    [Test]
    public void A_calendar_edit_is_a_change_whose_event_names_the_binding_that_pulled_it()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();
        var binding = Guid.CreateVersion7();

        var changed = appointment.ApplyRemoteEdit(appointment.Details with { Title = "Hearing moved" }, binding, Clock.Now.AddMinutes(1));

        Assert.That(changed, Is.True);
        Assert.That(appointment.DequeueDomainEvents(), Is.EqualTo(new[] { new AppointmentChanged(appointment.Id, Owner, null, null, 2, binding) }));
        Assert.That((appointment.Title, appointment.UpdatedAt), Is.EqualTo(("Hearing moved", Clock.Now.AddMinutes(1))));
    }

    [Test]
    public void A_calendar_edit_that_changes_nothing_raises_nothing()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        Assert.That(appointment.ApplyRemoteEdit(appointment.Details, Guid.CreateVersion7(), Clock.Now.AddMinutes(1)), Is.False);
        Assert.That(appointment.DequeueDomainEvents(), Is.Empty);
        Assert.That(appointment.Version, Is.EqualTo(1));
    }

    [Test]
    public void An_edit_made_in_paliad_names_no_binding()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        appointment.Change(appointment.Details with { Title = "Hearing moved" }, Clock.Now);

        Assert.That(appointment.DequeueDomainEvents().OfType<AppointmentChanged>().Single().PulledByBindingId, Is.Null);
    }

    [Test]
    public void Moving_to_another_project_reports_the_previous_one()
    {
        var oldProject = Guid.CreateVersion7();
        var newProject = Guid.CreateVersion7();
        var appointment = Appointment.Create(Owner, oldProject, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        appointment.MoveToProject(newProject, Clock.Now);

        var changed = appointment.DomainEvents.OfType<AppointmentChanged>().Single();
        Assert.That(changed.PreviousProjectId, Is.EqualTo(oldProject));
        Assert.That(changed.ProjectId, Is.EqualTo(newProject));
    }

    [Test]
    public void Delete_carries_where_the_remote_copies_are()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);
        var remote = new RemoteEventLocation(Guid.CreateVersion7(), Owner, "/dav/alice/master/x.ics", "\"etag-1\"");

        appointment.Delete([remote]);

        var deleted = appointment.DomainEvents.OfType<AppointmentDeleted>().Single();
        Assert.That(deleted.RemoteEvents, Is.EqualTo(new[] { remote }));
    }

    [Test]
    public void DequeueDomainEvents_hands_each_event_out_once()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);

        Assert.That(appointment.DequeueDomainEvents(), Has.Count.EqualTo(1));
        Assert.That(appointment.DequeueDomainEvents(), Is.Empty);
    }

    [Test]
    public void Moving_and_editing_at_once_is_one_version_and_one_event()
    {
        var appointment = Appointment.Create(Owner, Guid.CreateVersion7(), Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        appointment.Revise(appointment.Details with { Title = "Moved hearing" }, null, Clock.Now);

        Assert.That(appointment.Version, Is.EqualTo(2));
        Assert.That(appointment.DomainEvents.OfType<AppointmentChanged>().Single().ProjectId, Is.Null);
    }

    [Test]
    public void A_blank_title_is_refused_with_a_message_naming_the_title()
    {
        var error = Assert.Throws<DomainException>(() => Appointment.Create(Owner, null, Hearing(title: " "), Clock.Now));

        Assert.That(error!.Message, Does.Contain("'title'"));
    }

    [Test]
    public void A_too_long_title_is_refused_with_a_message_naming_the_title_and_its_limit()
    {
        var error = Assert.Throws<DomainException>(
            () => Appointment.Create(Owner, null, Hearing(title: new string('x', Appointment.TitleMaxLength + 1)), Clock.Now));

        Assert.That(error!.Message, Does.Contain("'title'").And.Contain("500"));
    }

    [Test]
    public void The_description_may_be_exactly_the_maximum_length_but_not_longer()
    {
        var longest = Hearing() with { Description = new string('d', Appointment.DescriptionMaxLength) };
        var tooLong = Hearing() with { Description = new string('d', Appointment.DescriptionMaxLength + 1) };

        Assert.That(Appointment.Create(Owner, null, longest, Clock.Now).Description, Has.Length.EqualTo(Appointment.DescriptionMaxLength));
        var error = Assert.Throws<DomainException>(() => Appointment.Create(Owner, null, tooLong, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("description"));
    }

    [Test]
    public void The_location_may_be_exactly_the_maximum_length_but_not_longer()
    {
        var longest = Hearing() with { Location = new string('l', Appointment.LocationMaxLength) };
        var tooLong = Hearing() with { Location = new string('l', Appointment.LocationMaxLength + 1) };

        Assert.That(Appointment.Create(Owner, null, longest, Clock.Now).Location, Has.Length.EqualTo(Appointment.LocationMaxLength));
        var error = Assert.Throws<DomainException>(() => Appointment.Create(Owner, null, tooLong, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("location"));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void A_blank_time_zone_falls_back_to_utc(string timeZone)
    {
        var appointment = Appointment.Create(Owner, null, Hearing(timeZone: timeZone), Clock.Now);

        Assert.That(appointment.TimeZone, Is.EqualTo("UTC"));
    }

    [Test]
    public void The_time_zone_is_stored_trimmed()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(timeZone: " Europe/Berlin "), Clock.Now);

        Assert.That(appointment.TimeZone, Is.EqualTo("Europe/Berlin"));
    }

    [Test]
    public void An_unknown_time_zone_is_refused_naming_the_field_and_the_zone()
    {
        var error = Assert.Throws<DomainException>(
            () => Appointment.Create(Owner, null, Hearing(timeZone: "Mars/Olympus_Mons"), Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("timeZone"));
        Assert.That(error.Message, Does.Contain("'Mars/Olympus_Mons'"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void No_time_zone_is_not_a_known_time_zone(string? timeZone)
    {
        Assert.That(Appointment.IsKnownTimeZone(timeZone), Is.False);
    }

    [Test]
    public void Change_reports_that_something_changed()
    {
        var appointment = Appointment.Create(Owner, null, Hearing(), Clock.Now);

        var changed = appointment.Change(appointment.Details with { Title = "Postponed hearing" }, Clock.Now.AddMinutes(5));

        Assert.That(changed, Is.True);
    }

    [Test]
    public void A_change_event_carries_the_owner_and_both_projects()
    {
        var project = Guid.CreateVersion7();
        var appointment = Appointment.Create(Owner, project, Hearing(), Clock.Now);
        appointment.DequeueDomainEvents();

        appointment.Change(appointment.Details with { AllDay = true }, Clock.Now);

        Assert.That(appointment.DomainEvents.Single(), Is.EqualTo(new AppointmentChanged(appointment.Id, Owner, project, project, 2)));
    }
}
