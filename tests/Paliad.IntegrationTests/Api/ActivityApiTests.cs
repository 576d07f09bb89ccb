using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>GET /api/caldav-activity: the caller's lines only, newest first, bounded, paged back in time by
/// <c>before</c> (an instant, or the cursor of <c>Link: rel="next"</c>), and pruned after Activity:RetentionDays.</summary>
public sealed class ActivityApiTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task Lines_are_the_callers_only_newest_first_with_their_documented_shape()
    {
        var alice = As(Alice);
        var bob = As(Bob);
        await ProvisionAsync(alice, bob);
        var at = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await InsertLineAsync(Alice, at, "remote_edit_applied", "Oral hearing");
        await InsertLineAsync(Alice, at.AddMinutes(5), "remote_deletion_reverted", "Deadline");
        await InsertLineAsync(Bob, at.AddMinutes(1), "remote_series_reverted", "Bob's");

        var lines = (await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-activity", UriKind.Relative)), HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.That(lines.Select(l => l.GetProperty("appointmentTitle").GetString()), Is.EqualTo(new[] { "Deadline", "Oral hearing" }));
        Assert.That(lines[0].EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
        {
            "id", "at", "kind", "appointmentId", "appointmentTitle", "bindingId", "calendarPath", "detail",
        }));
        Assert.That(lines[0].GetProperty("kind").GetString(), Is.EqualTo("remote_deletion_reverted"));
        Assert.That(lines[0].GetProperty("at").GetString(), Is.EqualTo("2026-11-20T10:05:00Z"));
    }

    [Test]
    public async Task Pages_go_back_in_time_through_the_next_link_without_losing_lines_of_the_same_instant()
    {
        var alice = As(Alice);
        await ProvisionAsync(alice);
        var at = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await InsertLineAsync(Alice, i < 3 ? at : at.AddMinutes(i), "remote_edit_applied", $"Line {i}");
        }

        var seen = new List<string>();
        var next = "/api/caldav-activity?limit=2";
        for (var page = 0; page < 5 && next is not null; page++)
        {
            using var response = await alice.GetAsync(new Uri(next, UriKind.RelativeOrAbsolute));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var lines = (await ReadJsonAsync(response)).EnumerateArray().ToList();
            Assert.That(lines, Has.Count.LessThanOrEqualTo(2));
            seen.AddRange(lines.Select(l => l.GetProperty("appointmentTitle").GetString()!));
            next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('>')[0].TrimStart('<') : null;
        }

        Assert.That(seen, Has.Count.EqualTo(5));
        Assert.That(seen.Take(2), Is.EqualTo(new[] { "Line 4", "Line 3" }));
        Assert.That(seen.Distinct().Count(), Is.EqualTo(5), "every line once");
    }

    [Test]
    public async Task Before_an_instant_lists_the_older_lines()
    {
        var alice = As(Alice);
        await ProvisionAsync(alice);
        var at = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await InsertLineAsync(Alice, at, "remote_edit_applied", "Older");
        await InsertLineAsync(Alice, at.AddHours(1), "remote_edit_applied", "Newer");

        var lines = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-activity?before=2026-11-20T10:30:00Z", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(lines.EnumerateArray().Select(l => l.GetProperty("appointmentTitle").GetString()), Is.EqualTo(new[] { "Older" }));
    }

    [TestCase("before=yesterday", "before")]
    [TestCase("before=2026-11-20", "before")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=2001", "limit")]
    public async Task A_bad_query_is_a_400_naming_the_field(string query, string field)
    {
        var problem = await ExpectAsync(As(Alice).GetAsync(new Uri($"/api/caldav-activity?{query}", UriKind.Relative)), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, field), Is.Not.Empty);
    }

    [Test]
    public async Task Without_a_token_it_is_a_401()
    {
        using var anonymous = WithToken(null);

        await ExpectAsync(anonymous.GetAsync(new Uri("/api/caldav-activity", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Lines_older_than_the_retention_are_pruned_and_newer_ones_stay()
    {
        var alice = As(Alice);
        await ProvisionAsync(alice);
        await InsertLineAsync(Alice, DateTimeOffset.UtcNow.AddDays(-91), "remote_edit_applied", "Too old");
        await InsertLineAsync(Alice, DateTimeOffset.UtcNow.AddDays(-89), "remote_edit_applied", "Kept");

        var removed = await TestHost.Api.Services.GetRequiredService<ActivityRetention>().PruneAsync(CancellationToken.None);

        Assert.That(removed, Is.EqualTo(1));
        var lines = await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-activity", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(lines.EnumerateArray().Select(l => l.GetProperty("appointmentTitle").GetString()), Is.EqualTo(new[] { "Kept" }));
    }

    private static async Task ProvisionAsync(params HttpClient[] users)
    {
        foreach (var user in users)
        {
            (await user.GetAsync(new Uri("/api/me", UriKind.Relative))).EnsureSuccessStatusCode();
        }
    }

    private static Task<int> InsertLineAsync(string email, DateTimeOffset at, string kind, string title)
        => ExecuteAsync(
            """
            INSERT INTO paliad.caldav_activity (id, user_id, at, kind, appointment_id, appointment_title, binding_id, calendar_path, detail)
            VALUES (@id, @user, @at, @kind, @appointment, @title, NULL, '/dav/cal/', @title)
            """,
            ("id", Guid.CreateVersion7()), ("user", UserIdOf(email)), ("at", at.UtcDateTime), ("kind", kind), ("appointment", Guid.CreateVersion7()), ("title", title));
}
