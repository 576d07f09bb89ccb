using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>
/// Base of the end-to-end sync tests: the real API host and database, a real CalDAV server (once per server), a
/// fault proxy in front of it as the configured account's server, fresh calendars per test, and the engine and
/// outbox driven directly (RunTickAsync, ProcessPendingAsync) instead of waiting for background workers.
/// </summary>
[TestFixtureSource(typeof(CalDavServers), nameof(CalDavServers.All))]
public abstract class SyncTest(string server) : ApiTest
{
    private static readonly Dictionary<string, string> Homes = [];
    private RequestCounter _directCounter = null!;

    protected string Server { get; } = server;

    protected FaultProxy Proxy { get; private set; } = null!;

    /// <summary>A client straight to the server (not through the proxy), as a phone would edit the calendar.</summary>
    protected CalDavClient Phone { get; private set; } = null!;

    protected static SyncEngine Engine => TestHost.Api.Services.GetRequiredService<SyncEngine>();

    protected static OutboxProcessor Outbox => TestHost.Api.Services.GetRequiredService<OutboxProcessor>();

    [SetUp]
    public async Task StartServerSideAsync()
    {
        Proxy = await FaultProxy.StartAsync(CalDavServers.Url(Server));
        _directCounter = new RequestCounter();
        Phone = CalDavServers.Client(CalDavServers.Url(Server), CalDavServers.TestOptions(), _directCounter);
    }

    [TearDown]
    public async Task StopServerSideAsync()
    {
        _directCounter.Dispose();
        await Proxy.DisposeAsync();
    }

    /// <summary>A fresh, empty calendar collection on the server.</summary>
    protected async Task<string> NewCalendarAsync(string name)
    {
        string? home;
        lock (Homes)
        {
            Homes.TryGetValue(Server, out home);
        }

        if (home is null)
        {
            home = await Phone.FindCalendarHomeAsync(await Phone.FindPrincipalAsync());
            lock (Homes)
            {
                Homes[Server] = home;
            }
        }

        var path = $"{home}{name}-{Guid.NewGuid().ToString("N")[..12]}/";
        await Phone.MakeCalendarAsync(path, name);
        return path;
    }

    /// <summary>Configures the user's CalDAV account (through the proxy), optionally with the legacy calendar.</summary>
    protected async Task ConfigureAsync(string email, string? calendarPath = null)
        => await ExpectAsync(
            PutAsync(As(email), "/api/caldav-config", new
            {
                serverUrl = Proxy.Url.ToString(),
                username = CalDavServers.Username,
                password = CalDavServers.Password,
                calendarPath,
            }),
            HttpStatusCode.OK);

    /// <summary>Publishes every due outbox message (the hooks), until none is left.</summary>
    protected static async Task DrainAsync()
    {
        for (var round = 0; round < 20 && await Outbox.ProcessPendingAsync() > 0; round++)
        {
        }
    }

    /// <summary>The events in a calendar, by UID, read straight from the server.</summary>
    protected async Task<Dictionary<string, RemoteEvent>> EventsAsync(string calendar)
    {
        var etags = await Phone.ListEtagsAsync(calendar);
        var fetched = await Phone.MultigetAsync(calendar, etags.Keys.ToList());
        var events = new Dictionary<string, RemoteEvent>(StringComparer.Ordinal);
        foreach (var resource in fetched.Found.Values)
        {
            Assert.That(ICalendarMapper.TryParse(resource.ICalendar, "UTC", out var parsed, out var error), Is.True, error);
            Assert.That(events.TryAdd(parsed!.Uid, parsed), Is.True, $"duplicate UID {parsed.Uid} in {calendar}");
        }

        return events;
    }

    protected async Task<List<string>> TitlesAsync(string calendar)
        => (await EventsAsync(calendar)).Values.Select(e => e.Title ?? string.Empty).Order(StringComparer.Ordinal).ToList();

    protected static Task<Guid> BindingOnAsync(string calendarPath)
        => ScalarAsync<Guid>("SELECT id FROM paliad.calendar_bindings WHERE calendar_path = @p", ("p", calendarPath));

    /// <summary>Edits the calendar's only event straight on the server, as a phone would.</summary>
    protected async Task EditOnThePhoneAsync(string calendar, string title, TimeSpan shift)
    {
        var href = (await Phone.ListEtagsAsync(calendar)).Keys.Single();
        var current = await Phone.GetAsync(href);
        ICalendarMapper.TryParse(current!.ICalendar, "UTC", out var parsed, out _);
        var edited = ICalendarMapper.ToICalendar(
            new EventContent(parsed!.Uid, title, parsed.Description, "Saal 3", parsed.StartsAt + shift, parsed.EndsAt + shift, false, "Europe/Berlin"),
            7, parsed.StartsAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        await Phone.UpdateAsync(href, edited, current.Etag!);
    }
}
