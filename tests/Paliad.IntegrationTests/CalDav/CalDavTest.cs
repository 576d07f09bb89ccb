using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Base of tests against a real CalDAV server: each test gets its own fresh calendar collection.</summary>
[TestFixtureSource(typeof(CalDavServers), nameof(CalDavServers.All))]
public abstract class CalDavTest(string server)
{
    private static readonly Dictionary<string, string> Homes = [];

    protected string Server { get; } = server;

    protected Uri ServerUrl => CalDavServers.Url(Server);

    protected RequestCounter Counter { get; private set; } = null!;

    protected CalDavClient Client { get; private set; } = null!;

    /// <summary>This test's own calendar collection, e.g. /paliad/t-3f2a…/.</summary>
    protected string Calendar { get; private set; } = null!;

    [SetUp]
    public async Task CreateCalendarAsync()
    {
        Counter = new RequestCounter();
        Client = CalDavServers.Client(ServerUrl, Options(), Counter);
        string? home;
        lock (Homes)
        {
            Homes.TryGetValue(Server, out home);
        }

        if (home is null)
        {
            home = await Client.FindCalendarHomeAsync(await Client.FindPrincipalAsync());
            lock (Homes)
            {
                Homes[Server] = home;
            }
        }

        Calendar = home + "t-" + Guid.NewGuid().ToString("N")[..16] + "/";
        await Client.MakeCalendarAsync(Calendar, TestContext.CurrentContext.Test.MethodName ?? "test");
        Counter.Reset();
    }

    [TearDown]
    public void DisposeCounter() => Counter.Dispose();

    protected virtual CalDavOptions Options() => CalDavServers.TestOptions();

    /// <summary>An event whose UID is <paramref name="name"/> made unique to this test's calendar: Cyrus keeps UIDs unique
    /// across a user's calendars (403 unique-scheduling-object-resource), as Paliad's own UIDs are.</summary>
    protected string Event(string name, string summary, DateTimeOffset? start = null)
    {
        var begin = start ?? new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        return ICalendarMapper.ToICalendar(new EventContent(UidFor(name), summary, null, null, begin, begin.AddHours(1), false, "Europe/Berlin"), 0, begin, begin, begin);
    }

    protected string Href(string uid) => EventNames.Href(Calendar, uid);

    /// <summary>A UID unique to this test's calendar.</summary>
    protected string UidFor(string name) => $"{name}-{Calendar.TrimEnd('/').Split('/')[^1]}";
}
