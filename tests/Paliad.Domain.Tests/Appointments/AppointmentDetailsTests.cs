using Paliad.Domain.Appointments;

namespace Paliad.Domain.Tests.Appointments;

public sealed class AppointmentDetailsTests
{
    private static readonly AppointmentDetails Hearing = new("Hearing", "Notes", "Saal 1", Clock.Now, Clock.Now.AddHours(1), false, "Europe/Berlin");

    [Test]
    public void Nothing_changed_names_no_field()
    {
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { }), Is.Empty);
    }

    [Test]
    public void Each_changed_field_is_named_once_in_the_feeds_order()
    {
        var after = Hearing with { Title = "Hearing moved", Description = "Other", Location = "Saal 2", EndsAt = Clock.Now.AddHours(2) };

        Assert.That(AppointmentDetails.ChangedFields(Hearing, after), Is.EqualTo(new[] { "title", "description", "location", "time" }));
    }

    [Test]
    public void A_new_start_an_end_or_all_day_is_a_change_of_time()
    {
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { StartsAt = Clock.Now.AddMinutes(-30) }), Is.EqualTo(new[] { "time" }));
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { EndsAt = Clock.Now.AddHours(3) }), Is.EqualTo(new[] { "time" }));
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { AllDay = true }), Is.EqualTo(new[] { "time" }));
    }

    [Test]
    public void A_new_description_or_location_alone_is_named_alone()
    {
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { Description = null }), Is.EqualTo(new[] { "description" }));
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { Location = "Saal 9" }), Is.EqualTo(new[] { "location" }));
    }

    [Test]
    public void A_time_zone_alone_is_no_field_the_feed_names()
    {
        Assert.That(AppointmentDetails.ChangedFields(Hearing, Hearing with { TimeZone = "Europe/London" }), Is.Empty);
    }
}
