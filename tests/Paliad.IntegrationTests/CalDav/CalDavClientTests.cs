using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Every client operation against each real server, including the conditional failures.</summary>
public sealed class CalDavClientTests(string server) : CalDavTest(server)
{
    [Test]
    public async Task Discovery_finds_the_calendar_with_its_properties()
    {
        var calendars = await Client.DiscoverCalendarsAsync();

        var mine = calendars.SingleOrDefault(c => c.Href == Calendar);
        Assert.That(mine, Is.Not.Null, string.Join(", ", calendars.Select(c => c.Href)));
        Assert.That(mine!.DisplayName, Is.EqualTo(nameof(Discovery_finds_the_calendar_with_its_properties)));
        Assert.That(mine.SupportsEvents, Is.True);
        Assert.That(mine.SyncToken, Is.Not.Null.And.Not.Empty);
        Assert.That(mine.SupportsSyncCollection, Is.True);
    }

    [Test]
    public async Task A_created_event_reads_back_with_the_etag_the_put_returned()
    {
        var etag = await Client.CreateAsync(Href("e1"), Event("e1", "Oral hearing"));

        var fetched = await Client.GetAsync(Href("e1"));

        Assert.That(etag, Is.Not.Null.And.Not.Empty);
        Assert.That(fetched, Is.Not.Null);
        Assert.That(fetched!.Etag, Is.EqualTo(etag));
        Assert.That(fetched.ICalendar, Does.Contain("SUMMARY:Oral hearing"));
        Assert.That(await Client.GetEtagAsync(Href("e1")), Is.EqualTo(etag));
    }

    [Test]
    public async Task Creating_over_an_existing_resource_is_a_conflict()
    {
        await Client.CreateAsync(Href("e1"), Event("e1", "First"));

        Assert.ThrowsAsync<CalDavConflictException>(() => Client.CreateAsync(Href("e1"), Event("e1", "Second")));
        Assert.That((await Client.GetAsync(Href("e1")))!.ICalendar, Does.Contain("SUMMARY:First"));
    }

    [Test]
    public async Task An_update_with_a_stale_etag_is_a_conflict_and_with_the_current_one_succeeds()
    {
        var first = await Client.CreateAsync(Href("e1"), Event("e1", "First"));
        var second = await Client.UpdateAsync(Href("e1"), Event("e1", "Second"), first!);

        Assert.ThrowsAsync<CalDavConflictException>(() => Client.UpdateAsync(Href("e1"), Event("e1", "Stale"), first!));
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That((await Client.GetAsync(Href("e1")))!.ICalendar, Does.Contain("SUMMARY:Second"));
    }

    [Test]
    public async Task Delete_honours_if_match_and_counts_a_missing_resource_as_done()
    {
        var first = await Client.CreateAsync(Href("e1"), Event("e1", "First"));
        var current = await Client.UpdateAsync(Href("e1"), Event("e1", "Second"), first!);

        Assert.ThrowsAsync<CalDavConflictException>(() => Client.DeleteAsync(Href("e1"), first));
        Assert.That(await Client.DeleteAsync(Href("e1"), current), Is.True);
        Assert.That(await Client.DeleteAsync(Href("e1"), current), Is.False);
        Assert.That(await Client.GetAsync(Href("e1")), Is.Null);
    }

    [Test]
    public async Task Multiget_of_250_hrefs_sends_exactly_3_reports_and_returns_250_events()
    {
        var hrefs = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            var uid = $"bulk-{i:D3}";
            await Client.CreateAsync(Href(uid), Event(uid, $"Deadline {i}"));
            hrefs.Add(Href(uid));
        }

        Counter.Reset();
        var result = await Client.MultigetAsync(Calendar, hrefs);

        Assert.That(Counter.Answered("REPORT"), Is.EqualTo(3), "chunks of 100 (an attempt that timed out on a slow machine and was retried is not a chunk)");
        Assert.That(Counter.Count("GET"), Is.Zero);
        Assert.That(result.Found, Has.Count.EqualTo(250));
        Assert.That(result.Deleted, Is.Empty);
        Assert.That(result.Found[Hrefs.Key(Href("bulk-137"))].ICalendar, Does.Contain("SUMMARY:Deadline 137"));
    }

    [Test]
    public async Task Multiget_reports_a_resource_that_does_not_exist_as_deleted()
    {
        await Client.CreateAsync(Href("here"), Event("here", "Here"));

        var result = await Client.MultigetAsync(Calendar, [Href("here"), Href("gone")]);

        Assert.That(result.Found.Keys, Is.EqualTo(new[] { Hrefs.Key(Href("here")) }));
        Assert.That(result.Deleted, Is.EqualTo(new[] { Hrefs.Key(Href("gone")) }));
    }

    [Test]
    public async Task Incremental_sync_collection_after_three_changes_returns_exactly_those_three()
    {
        var kept = await Client.CreateAsync(Href("kept"), Event("kept", "Kept"));
        var edited = await Client.CreateAsync(Href("edited"), Event("edited", "Edited"));
        var removed = await Client.CreateAsync(Href("removed"), Event("removed", "Removed"));
        var start = await Client.SyncCollectionAsync(Calendar, null);
        Assert.That(start.Changes.Select(c => c.Href), Is.EquivalentTo(new[] { Href("kept"), Href("edited"), Href("removed") }.Select(Hrefs.Key)));

        await Client.CreateAsync(Href("added"), Event("added", "Added"));
        var editedEtag = await Client.UpdateAsync(Href("edited"), Event("edited", "Edited again"), edited!);
        await Client.DeleteAsync(Href("removed"), removed);
        var delta = await Client.SyncCollectionAsync(Calendar, start.SyncToken);

        Assert.That(delta.WasReset, Is.False);
        Assert.That(delta.Changes, Has.Count.EqualTo(3));
        Assert.That(delta.Changes.Where(c => !c.Deleted).Select(c => c.Href), Is.EquivalentTo(new[] { Hrefs.Key(Href("added")), Hrefs.Key(Href("edited")) }));
        Assert.That(delta.Changes.Single(c => c.Deleted).Href, Is.EqualTo(Hrefs.Key(Href("removed"))));
        Assert.That(delta.Changes.Single(c => c.Href == Hrefs.Key(Href("edited"))).Etag, Is.EqualTo(editedEtag));
        Assert.That(delta.SyncToken, Is.Not.EqualTo(start.SyncToken));
        Assert.That(kept, Is.Not.Null);
    }

    [Test]
    public async Task A_refused_sync_token_falls_back_to_a_full_listing()
    {
        await Client.CreateAsync(Href("one"), Event("one", "One"));
        var state = await Client.GetCollectionStateAsync(Calendar);

        // Cyrus accepts a token with anything appended (it reads its own prefix): a token of another scheme is refused by all.
        Assert.That(state.SyncToken, Is.Not.Null);
        var result = await Client.SyncCollectionAsync(Calendar, "urn:paliad:not-a-token");

        Assert.That(result.WasReset, Is.True);
        Assert.That(result.Changes.Select(c => c.Href), Is.EqualTo(new[] { Hrefs.Key(Href("one")) }));
    }

    [Test]
    public async Task The_etag_listing_names_every_event_with_its_current_etag()
    {
        var one = await Client.CreateAsync(Href("one"), Event("one", "One"));
        var two = await Client.CreateAsync(Href("two"), Event("two", "Two"));

        var etags = await Client.ListEtagsAsync(Calendar);

        Assert.That(etags, Is.EquivalentTo(new Dictionary<string, string?> { [Hrefs.Key(Href("one"))] = one, [Hrefs.Key(Href("two"))] = two }));
    }

    [Test]
    public async Task The_change_markers_move_when_an_event_changes_and_stay_when_nothing_does()
    {
        var before = await Client.GetCollectionStateAsync(Calendar);
        var unchanged = await Client.GetCollectionStateAsync(Calendar);
        await Client.CreateAsync(Href("one"), Event("one", "One"));
        var after = await Client.GetCollectionStateAsync(Calendar);

        Assert.That(unchanged, Is.EqualTo(before));
        Assert.That(after.SyncToken, Is.Not.EqualTo(before.SyncToken));
        Assert.That(before.SupportsSyncCollection, Is.True);
    }

    [Test]
    public async Task Making_a_calendar_that_exists_is_a_conflict()
    {
        var error = Assert.CatchAsync<CalDavException>(() => Client.MakeCalendarAsync(Calendar, "again"));

        Assert.That(error, Is.InstanceOf<CalDavConflictException>().Or.InstanceOf<CalDavForbiddenException>());
    }
}
