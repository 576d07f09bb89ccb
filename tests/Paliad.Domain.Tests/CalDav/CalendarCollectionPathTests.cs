using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

public sealed class CalendarCollectionPathTests
{
    [TestCase("/dav/alice/court/", "/dav/alice/court/")]
    [TestCase("/dav/alice/court", "/dav/alice/court/")]
    [TestCase("  /dav/alice/court//  ", "/dav/alice/court/")]
    [TestCase("/dav/alice%40firm.example/caf%C3%A9/", "/dav/alice@firm.example/café/")]
    [TestCase("/dav/100%/", "/dav/100%/")]
    [TestCase("/", "/")]
    [TestCase("/dav/..alice/", "/dav/..alice/")]
    [TestCase("/dav/alice.cal/", "/dav/alice.cal/")]
    public void A_path_is_normalised_to_its_decoded_form_with_one_trailing_slash(string input, string expected)
    {
        Assert.That(CalendarCollectionPath.Normalize(input, out var problem), Is.EqualTo(expected));
        Assert.That(problem, Is.Null);
        Assert.That(CalendarCollectionPath.IsValid(input), Is.True);
    }

    [TestCase(null, "empty")]
    [TestCase("", "empty")]
    [TestCase("   ", "empty")]
    [TestCase("dav/alice/", "absolute")]
    [TestCase("https://evil.example/cal/", "absolute")]
    [TestCase("//evil.example/cal/", "'//'")]
    [TestCase("/%2F127.0.0.2/cal/", "'//'")]
    [TestCase("/%2f%2fevil/", "'//'")]
    [TestCase("/dav\\alice/", "backslash")]
    [TestCase("/dav/%5Calice/", "backslash")]
    [TestCase("/dav/alice%00/", "control")]
    [TestCase("/dav/alice\t/", "control")]
    [TestCase("/dav/a%0D%0AHost:x/", "control")]
    [TestCase("/http://evil.example/", "scheme")]
    [TestCase("/c:\\x/", "backslash")]
    [TestCase("/%252F%252Fevil/", "twice")]
    [TestCase("/dav/%2541/", "twice")]
    [TestCase("/dav/../bob/", "'..'")]
    [TestCase("/dav/%2E%2E/bob/", "'..'")]
    [TestCase("/dav/..", "'..'")]
    [TestCase("/dav/./alice/", "'.'")]
    [TestCase("/./", "'.'")]
    [TestCase("/dav//alice/", "empty segments")]
    public void A_path_that_could_leave_the_server_is_refused_with_a_reason(string? input, string reason)
    {
        Assert.That(CalendarCollectionPath.Normalize(input, out var problem), Is.Null);
        Assert.That(problem, Does.Contain(reason).And.Contain("'calendarPath'"));
        Assert.That(CalendarCollectionPath.IsValid(input), Is.False);
    }

    [Test]
    public void Paths_longer_than_the_column_are_refused_and_the_longest_is_accepted()
    {
        var longest = "/" + new string('a', CalendarCollectionPath.MaxLength - 2) + "/";
        var tooLong = "/" + new string('a', CalendarCollectionPath.MaxLength - 1) + "/";
        var tooLongOnceSlashed = "/" + new string('a', CalendarCollectionPath.MaxLength - 1);

        Assert.That(CalendarCollectionPath.Normalize(longest, out _), Is.EqualTo(longest));
        Assert.That(CalendarCollectionPath.Normalize(tooLong, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("at most"));
        Assert.That(CalendarCollectionPath.Normalize(tooLongOnceSlashed, out problem), Is.Null);
        Assert.That(problem, Does.Contain("at most"));
    }

    [TestCase("/dav/alice/court/", "/dav/alice/court")]
    [TestCase("/dav/caf%C3%A9/", "/dav/café/")]
    [TestCase("/dav/a%40b/", "/dav/a@b")]
    public void Spellings_of_one_collection_are_the_same_collection(string a, string b)
    {
        Assert.That(CalendarCollectionPath.SameCollection(a, b), Is.True);
    }

    [TestCase("/dav/alice/court/", "/dav/alice/other/")]
    [TestCase("/dav/alice/court/", "/dav/Alice/court/")]
    public void Different_collections_are_not_the_same(string a, string b)
    {
        Assert.That(CalendarCollectionPath.SameCollection(a, b), Is.False);
    }
}
