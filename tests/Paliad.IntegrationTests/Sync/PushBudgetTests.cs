using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The copies a push fetches after its writes meet 412s are answers like any other: together they count
/// against the push's byte budget (CalDav:MaxOperationBytes), so a server answering every conditional write with a
/// 412 and a large copy cannot make one push read without end.</summary>
public sealed class PushBudgetTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task The_copies_fetched_after_412s_count_against_the_push_budget()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        var appointments = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            appointments.Add(await CreateAppointmentAsync(As(Alice), $"Hearing {i}", startsAt: new DateTimeOffset(2027, 3, 1 + i, 9, 0, 0, TimeSpan.Zero)));
        }

        await DrainAsync();
        var binding = await BindingOnAsync(calendar);
        foreach (var id in appointments)
        {
            await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{id}", new { location = "Saal 2" }), System.Net.HttpStatusCode.OK);
        }

        var padding = new string('x', 70_000);
        Proxy.Inject(
            new Fault.Status("PUT", 412) { Always = true },
            new Fault.Rewrite("GET", body => body.Replace("END:VEVENT", $"X-PADDING:{padding}\r\nEND:VEVENT", StringComparison.Ordinal)) { Always = true });
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["CalDav:MaxOperationBytes"] = "200000",
            ["CalDav:MaxRetries"] = "0",
        });

        var result = await host.Services.GetRequiredService<SyncEngine>().SyncBindingAsync(binding, CancellationToken.None);

        Assert.That(result.ErrorDetail, Does.Contain("push exceeded 200000 bytes"), $"{result.Status}: {result.ErrorDetail}");
        Assert.That(Proxy.Count("GET"), Is.GreaterThanOrEqualTo(3), "each copy alone is far below CalDav:MaxResponseBytes: only their sum is refused");
    }
}
