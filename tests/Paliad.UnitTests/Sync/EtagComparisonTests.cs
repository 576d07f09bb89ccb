using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.UnitTests.Sync;

/// <summary>The pure comparison of Paliad's copies with a server's full listing.</summary>
public sealed class EtagComparisonTests
{
    [Test]
    public void A_copy_missing_from_the_listing_is_gone_and_one_whose_ETag_moved_differs()
    {
        var same = new CopyEtag(Guid.NewGuid(), "/cal/a.ics", "\"1\"");
        var moved = new CopyEtag(Guid.NewGuid(), "/cal/b.ics", "\"1\"");
        var gone = new CopyEtag(Guid.NewGuid(), "/cal/c.ics", "\"1\"");
        var listing = new Dictionary<string, string?> { ["/cal/a.ics"] = "\"1\"", ["/cal/b.ics"] = "\"2\"", ["/cal/x.ics"] = "\"9\"" };

        var (differing, deleted) = EtagComparison.Compare([same, moved, gone], listing);

        Assert.That(differing, Is.EquivalentTo(new[] { moved.Id }));
        Assert.That(deleted, Is.EquivalentTo(new[] { gone.Id }));
    }

    [Test]
    public void A_listing_without_an_ETag_or_a_copy_without_one_counts_as_differing()
    {
        var unknown = new CopyEtag(Guid.NewGuid(), "/cal/a.ics", null);
        var unlisted = new CopyEtag(Guid.NewGuid(), "/cal/b.ics", "\"1\"");
        var listing = new Dictionary<string, string?> { ["/cal/a.ics"] = "\"1\"", ["/cal/b.ics"] = null };

        var (differing, deleted) = EtagComparison.Compare([unknown, unlisted], listing);

        Assert.That(differing, Is.EquivalentTo(new[] { unknown.Id, unlisted.Id }));
        Assert.That(deleted, Is.Empty);
    }

    [Test]
    public void Hrefs_are_compared_by_key_so_an_escaped_name_matches_its_plain_form()
    {
        var copy = new CopyEtag(Guid.NewGuid(), "/cal/a%40b.ics", "\"1\"");

        var (differing, deleted) = EtagComparison.Compare([copy], new Dictionary<string, string?> { ["/cal/a@b.ics"] = "\"1\"" });

        Assert.That(differing, Is.Empty);
        Assert.That(deleted, Is.Empty);
    }

    [TestCase("/cal/paliad-1.ics", "paliad-1")]
    [TestCase("/cal/sub/x.y.ics", "x.y")]
    [TestCase("/cal/notes.txt", null)]
    [TestCase("/cal/", null)]
    public void An_events_UID_is_its_resource_name_without_ics(string href, string? uid)
    {
        Assert.That(EtagComparison.ResourceUid(href), Is.EqualTo(uid));
    }
}
