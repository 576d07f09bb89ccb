using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

public sealed class AppointmentTargetTests
{
    private static readonly Guid Appointment = Guid.CreateVersion7();
    private static readonly Guid Binding = Guid.CreateVersion7();

    private static AppointmentTarget Created(string? etag = "\"1\"")
        => AppointmentTarget.RecordCreated(Appointment, Binding, "paliad-uid", "/dav/alice/master/paliad-uid.ics", etag, "hash-1", Clock.Now);

    [Test]
    public void A_created_target_records_where_the_event_is_and_what_was_pushed()
    {
        var target = Created();

        Assert.That((target.AppointmentId, target.BindingId), Is.EqualTo((Appointment, Binding)));
        Assert.That((target.CalDavUid, target.CalDavHref, target.CalDavEtag), Is.EqualTo(("paliad-uid", "/dav/alice/master/paliad-uid.ics", "\"1\"")));
        Assert.That(target.ContentHash, Is.EqualTo("hash-1"));
        Assert.That(target.LastPushedAt, Is.EqualTo(Clock.Now));
        Assert.That(target.LastPulledAt, Is.Null);
        Assert.That(target.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [TestCase("", "/x.ics", "caldavUid")]
    [TestCase("uid", "", "caldavHref")]
    public void A_target_needs_a_uid_and_an_href(string uid, string href, string field)
    {
        var error = Assert.Throws<DomainException>(() => AppointmentTarget.RecordCreated(Appointment, Binding, uid, href, null, "hash", Clock.Now));

        Assert.That(error!.Field, Is.EqualTo(field));
    }

    [Test]
    public void A_target_needs_a_content_hash_when_pushed_or_pulled()
    {
        var target = Created();

        Assert.That(Assert.Throws<DomainException>(() => target.RecordPushed("\"2\"", "", Clock.Now))!.Field, Is.EqualTo("contentHash"));
        Assert.That(Assert.Throws<DomainException>(() => target.RecordPulled("\"2\"", "", Clock.Now))!.Field, Is.EqualTo("contentHash"));
    }

    [Test]
    public void An_etag_at_the_column_length_is_kept_and_a_longer_one_forgotten()
    {
        var longest = new string('e', AppointmentTarget.EtagMaxLength);
        var target = Created(longest);
        Assert.That(target.CalDavEtag, Is.EqualTo(longest));

        target.RecordPushed(longest + "e", "hash-2", Clock.Now);
        Assert.That(target.CalDavEtag, Is.Null);

        target.RecordPulled(longest + "e", "hash-3", Clock.Now);
        Assert.That(target.CalDavEtag, Is.Null);
        Assert.That(target.ContentHash, Is.EqualTo("hash-3"));
    }

    [Test]
    public void A_pull_records_the_new_etag_hash_and_time_without_touching_the_push_time()
    {
        var target = Created();

        target.RecordPulled("\"9\"", "hash-9", Clock.Now.AddMinutes(5));

        Assert.That((target.CalDavEtag, target.ContentHash), Is.EqualTo(("\"9\"", "hash-9")));
        Assert.That(target.LastPulledAt, Is.EqualTo(Clock.Now.AddMinutes(5)));
        Assert.That(target.LastPushedAt, Is.EqualTo(Clock.Now));
    }

    [Test]
    public void Its_location_names_the_binding_user_href_and_etag()
    {
        var user = Guid.CreateVersion7();

        Assert.That(Created().LocationFor(user), Is.EqualTo(new RemoteEventLocation(Binding, user, "/dav/alice/master/paliad-uid.ics", "\"1\"")));
    }
}
