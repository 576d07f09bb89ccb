using System.Net;
using System.Net.Http.Json;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The retry a consumer makes after losing the answer to a timeout (the same request again, with its
/// Idempotency-Key): one hearing in Paliad and one event in the calendar, on every server — the retry reaches no
/// calendar at all.</summary>
public sealed class IdempotentRetryTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_post_retried_after_a_lost_answer_is_one_hearing_and_one_event()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        var key = Guid.NewGuid().ToString();
        var hearing = new { title = "Oral hearing", startsAt = "2027-03-04T09:00:00+01:00", endsAt = "2027-03-04T11:00:00+01:00", timeZone = "Europe/Berlin" };

        foreach (var attempt in Enumerable.Range(0, 2))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/appointments", UriKind.Relative)) { Content = JsonContent.Create(hearing) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await As(Alice).SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"attempt {attempt}");
            await DrainAsync();
        }

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointments"), Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Oral hearing" }));
    }
}
