using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Domain.Appointments;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The outbox is fair across users: one message per user lane in flight, claims taken lane by lane, so one
/// user's backlog on a server that never answers does not hold back another user's fresh appointment.</summary>
public sealed class OutboxFairnessTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task A_claim_takes_one_message_per_lane_oldest_lane_first_and_none_of_a_lane_in_flight()
    {
        var bob = UserIdOf(Bob);
        var alice = UserIdOf(Alice);
        var now = DateTimeOffset.UtcNow;
        await using (var db = TestHost.NewDbContext())
        {
            for (var i = 0; i < 30; i++)
            {
                db.Db.Add(OutboxMessage.From(new AppointmentCreated(Guid.NewGuid(), bob, null), now.AddMinutes(-30 + i)));
            }

            db.Db.Add(OutboxMessage.From(new AppointmentCreated(Guid.NewGuid(), alice, null), now.AddSeconds(-1)));
            await db.Db.SaveChangesAsync();
        }

        var first = await ClaimAsync("first", limit: 5);
        var second = await ClaimAsync("second", limit: 5);

        Assert.That(first, Has.Count.EqualTo(2), "one message of each lane, though Bob has thirty due");
        Assert.That(await LanesOfAsync(first), Is.EquivalentTo(new[] { bob, alice }));
        Assert.That(first, Does.Contain(await ScalarAsync<Guid>("SELECT id FROM paliad.outbox_messages WHERE lane = @u ORDER BY occurred_at LIMIT 1", ("u", bob))),
            "Bob's oldest message, so his stay in order");
        Assert.That(second, Is.Empty, "both lanes have a message in flight");
    }

    [Test]
    public async Task A_lane_whose_message_is_done_is_claimed_again_in_order()
    {
        var bob = UserIdOf(Bob);
        var now = DateTimeOffset.UtcNow;
        var messages = Enumerable.Range(0, 3).Select(i => OutboxMessage.From(new AppointmentCreated(Guid.NewGuid(), bob, null), now.AddMinutes(-3 + i))).ToList();
        await using (var db = TestHost.NewDbContext())
        {
            db.Db.AddRange(messages);
            await db.Db.SaveChangesAsync();
        }

        var order = new List<Guid>();
        for (var round = 0; round < 3; round++)
        {
            var claimed = await ClaimAsync($"round{round}", limit: 5);
            Assert.That(claimed, Has.Count.EqualTo(1));
            order.Add(claimed[0]);
            await ExecuteAsync("UPDATE paliad.outbox_messages SET processed_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE id = @id", ("id", claimed[0]));
        }

        Assert.That(order, Is.EqualTo(messages.Select(m => m.Id)));
    }

    [Test]
    public async Task Another_users_appointment_reaches_their_calendar_while_one_user_fills_the_outbox_against_a_server_that_never_answers()
    {
        await using var blackhole = await FaultProxy.StartAsync(CalDavServers.Url(Server));
        blackhole.Inject(new Fault.Blackhole(null) { Always = true });
        await ExpectAsync(PutAsync(As(Bob), "/api/caldav-config", new
        {
            serverUrl = blackhole.Url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password,
        }), HttpStatusCode.OK);
        for (var i = 0; i < 40; i++)
        {
            await CreateBindingAsync(As(Bob), $"/paliad/blackhole-{i}/", "all_visible");
        }

        for (var i = 0; i < 60; i++)
        {
            await CreateAppointmentAsync(As(Bob), $"Bob's hearing {i}");
        }

        var aliceCalendar = await NewCalendarAsync("alice");
        await ConfigureAsync(Alice, aliceCalendar);
        await using var instance = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["CalDav:HookTimeoutSeconds"] = "30" });
        using var stop = new CancellationTokenSource();
        var processing = instance.Services.GetRequiredService<OutboxProcessor>().ProcessPendingAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1)); // Bob's backlog is claimed and stuck on his server

        var created = Stopwatch.StartNew();
        await CreateAppointmentAsync(As(Alice), "Alice's hearing");
        var arrived = false;
        while (created.Elapsed < TimeSpan.FromSeconds(5) && !arrived)
        {
            arrived = (await Phone.ListEtagsAsync(aliceCalendar)).Count == 1;
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await Task.WhenAny(processing, Task.Delay(TimeSpan.FromSeconds(40)));
        Assert.That(arrived, Is.True, $"Alice's appointment reached her calendar within 5 s (waited {created.Elapsed.TotalSeconds:0.0} s)");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE lane = @u AND processed_at IS NULL", ("u", UserIdOf(Bob))),
            Is.GreaterThan(50), "Bob's backlog was still waiting");
    }

    private static async Task<IReadOnlyList<Guid>> ClaimAsync(string token, int limit)
    {
        await using var scope = TestHost.Api.Services.CreateAsyncScope();
        return await OutboxLeases.ClaimAsync(scope.ServiceProvider.GetRequiredService<PaliadDbContext>(), token, TimeSpan.FromMinutes(5), limit, CancellationToken.None);
    }

    private static async Task<List<Guid>> LanesOfAsync(IEnumerable<Guid> ids)
    {
        var lanes = new List<Guid>();
        foreach (var id in ids)
        {
            lanes.Add(await ScalarAsync<Guid>("SELECT lane FROM paliad.outbox_messages WHERE id = @id", ("id", id)));
        }

        return lanes;
    }
}
