using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>GET /health/sync: for operators with the key; says whether sync keeps up, and why not.</summary>
public sealed class SyncHealthTests : ApiTest
{
    private const string Key = "operator-key-for-tests";
    private PaliadApiFactory _host = null!;

    [SetUp]
    public void StartHost() => _host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
    {
        ["Health:OperatorKey"] = Key,
        ["Health:MaxOverdueSeconds"] = "600",
    });

    [TearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [Test]
    public async Task Without_a_configured_key_the_endpoint_does_not_exist_and_a_wrong_key_is_a_401()
    {
        await ExpectAsync(WithToken(null).GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.NotFound);

        using var client = _host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Operator-Key", "guess");
        await ExpectAsync(client.GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Wrong_keys_beyond_a_few_a_minute_are_a_429_even_before_the_key_is_compared()
    {
        using var guesser = _host.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Operator-Key", "guess");
        var allowed = Paliad.Api.Endpoints.SyncHealthEndpoints.WrongKeysPerMinute;

        // The bucket gives one guess back every 60/N s, so a refill may land mid-test: count the 401s before the first
        // 429 (N, or one or two more), and ask with the right key right after a refusal.
        var unauthorized = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < allowed + 3 && refused is null; i++)
        {
            var response = await guesser.GetAsync(new Uri("/health/sync", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                unauthorized++;
                response.Dispose();
            }
        }

        Assert.That(refused, Is.Not.Null, "wrong keys beyond the allowance are refused");
        Assert.That(unauthorized, Is.InRange(allowed, allowed + 2));
        Assert.That(refused!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        refused.Dispose();

        // Right after a refusal even the right key is refused (it is never compared); should a refill land in between,
        // a wrong key takes it back and the right key is asked again.
        var rightKey = HttpStatusCode.OK;
        for (var round = 0; round < 3 && rightKey != HttpStatusCode.TooManyRequests; round++)
        {
            using var probe = await Operator().GetAsync(new Uri("/health/sync", UriKind.Relative));
            rightKey = probe.StatusCode;
            if (rightKey != HttpStatusCode.TooManyRequests)
            {
                (await guesser.GetAsync(new Uri("/health/sync", UriKind.Relative))).Dispose();
            }
        }

        Assert.That(rightKey, Is.EqualTo(HttpStatusCode.TooManyRequests), "no key is compared from that address until the wait is over");
    }

    [Test]
    public async Task Nothing_behind_is_healthy()
    {
        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("healthy"));
        Assert.That(report.GetProperty("degraded").GetArrayLength(), Is.Zero);
        Assert.That(report.GetProperty("outbox").GetProperty("dead").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task An_overdue_binding_and_a_dead_message_make_it_degraded_and_say_so()
    {
        var alice = As("alice@firm.example");
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x", syncIntervalMinutes = 15 }),
            HttpStatusCode.OK);
        var late = await CreateBindingAsync(alice, "/dav/alice/late/", "personal_only");
        var onTime = await CreateBindingAsync(alice, "/dav/alice/fine/", "personal_only");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '2 hours', sync_status = 'ok' WHERE id = @id", ("id", late));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now(), sync_status = 'error' WHERE id = @id", ("id", onTime));
        await ExecuteAsync("DELETE FROM paliad.outbox_messages");
        await ExecuteAsync("""
            INSERT INTO paliad.outbox_messages (id, type, payload, occurred_at, attempts, next_attempt_at, last_error, dead_at)
            VALUES (gen_random_uuid(), 'AppointmentChanged', '{}', now() - interval '1 hour', 5, now(), 'boom', now())
            """);

        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.ServiceUnavailable);

        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("degraded"));
        var overdue = report.GetProperty("oldestOverdue");
        Assert.That(overdue.GetProperty("bindingId").GetGuid(), Is.EqualTo(late));
        Assert.That(overdue.GetProperty("overdueSeconds").GetDouble(), Is.InRange(6300, 6400), "2 h since the last tick, due after 15 min");
        Assert.That(report.GetProperty("outbox").GetProperty("dead").GetInt64(), Is.EqualTo(1));
        Assert.That(report.GetProperty("outbox").GetProperty("pending").GetInt64(), Is.Zero);
        Assert.That(report.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()), Has.Some.Contains("overdue").And.Some.Contains("dead"));
        var byStatus = report.GetProperty("bindings").EnumerateArray().ToDictionary(b => b.GetProperty("status").GetString()!, b => b.GetProperty("count").GetInt64());
        Assert.That(byStatus, Is.EquivalentTo(new Dictionary<string, long> { ["ok"] = 1, ["error"] = 1 }));
        Assert.That(report.GetProperty("lastTickFinishedAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task A_binding_waiting_out_its_servers_failures_is_backing_off_not_overdue()
    {
        var alice = As("alice@firm.example");
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x", syncIntervalMinutes = 15 }),
            HttpStatusCode.OK);
        var failing = await CreateBindingAsync(alice, "/dav/alice/failing/", "personal_only");
        await ExecuteAsync("""
            UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '2 hours', sync_status = 'error', consecutive_failures = 6,
                next_attempt_at = now() + interval '30 minutes'
            WHERE id = @id
            """, ("id", failing));
        await ExecuteAsync("DELETE FROM paliad.outbox_messages");

        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(report.GetProperty("status").GetString(), Is.EqualTo("healthy"));
        Assert.That(report.GetProperty("backingOffBindings").GetInt64(), Is.EqualTo(1));
        Assert.That(report.GetProperty("dueBindings").GetInt64(), Is.Zero);
        Assert.That(report.TryGetProperty("oldestOverdue", out var none) ? none.ValueKind : System.Text.Json.JsonValueKind.Null, Is.EqualTo(System.Text.Json.JsonValueKind.Null));

        await ExecuteAsync("UPDATE paliad.calendar_bindings SET next_attempt_at = now() - interval '20 minutes' WHERE id = @id", ("id", failing));
        var afterBackoff = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.ServiceUnavailable);

        Assert.That(afterBackoff.GetProperty("oldestOverdue").GetProperty("overdueSeconds").GetDouble(), Is.InRange(1150, 1250), "due when its backoff ended");
        Assert.That(afterBackoff.GetProperty("dueBindings").GetInt64(), Is.EqualTo(1));
        Assert.That(afterBackoff.GetProperty("backingOffBindings").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task Each_instance_reports_its_last_finished_tick()
    {
        var alice = As("alice@firm.example");
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = "http://127.0.0.1:9/", username = "alice", password = "x" }), HttpStatusCode.OK);
        var binding = await CreateBindingAsync(alice, "/dav/alice/court/", "personal_only");
        var engine = _host.Services.GetRequiredService<SyncEngine>();
        await engine.SyncBindingAsync(binding, CancellationToken.None);

        await engine.ReportInstanceAsync();
        await engine.ReportInstanceAsync(); // nothing new: no second write, no harm

        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.OK);
        var instance = report.GetProperty("instances").EnumerateArray().Single();
        Assert.That(instance.GetProperty("instanceId").GetString(), Is.EqualTo(engine.InstanceId));
        Assert.That(instance.GetProperty("lastTickFinishedAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(instance.GetProperty("clockOffsetSeconds").GetDouble(), Is.InRange(-5, 5), "one machine: the clocks agree");
    }

    [Test]
    public async Task An_instance_whose_clock_is_off_the_databases_makes_sync_degraded()
    {
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Paliad.Infrastructure.Persistence.PaliadDbContext>();
            await SyncInstance.ReportAsync(db, "fast-clock/1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(10), CancellationToken.None);
            await SyncInstance.ReportAsync(db, "good-clock/2", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.ServiceUnavailable);

        var offsets = report.GetProperty("instances").EnumerateArray()
            .ToDictionary(i => i.GetProperty("instanceId").GetString()!, i => i.GetProperty("clockOffsetSeconds").GetDouble());
        Assert.That(offsets["fast-clock/1"], Is.InRange(590, 610));
        Assert.That(offsets["good-clock/2"], Is.InRange(-5, 5));
        var reasons = report.GetProperty("degraded").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.That(reasons, Has.Count.EqualTo(1), "the instance with the right clock is no reason");
        Assert.That(reasons[0], Does.StartWith("instance fast-clock/1's clock is +").And.Contain("s off the database's (more than 60 s)"));
    }

    [Test]
    public async Task A_stopped_instance_with_a_wrong_clock_is_listed_but_no_reason_for_degraded()
    {
        await ExecuteAsync("""
            INSERT INTO paliad.sync_instances (instance_id, last_tick_finished_at, seen_at, clock_offset_seconds)
            VALUES ('stopped/3', now() - interval '2 hours', now() - interval '1 hour', 600)
            """);

        var report = await ExpectAsync(Operator().GetAsync(new Uri("/health/sync", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(report.GetProperty("instances").EnumerateArray().Single().GetProperty("clockOffsetSeconds").GetDouble(), Is.EqualTo(600));
        Assert.That(report.GetProperty("degraded").GetArrayLength(), Is.Zero, "seen an hour ago, beyond the 600 s window");
    }

    private HttpClient Operator()
    {
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Operator-Key", Key);
        return client;
    }
}
