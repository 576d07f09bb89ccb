using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

    /// <summary>The calendar's only event as the server holds it, unfolded (RFC 5545 §3.1).</summary>
    protected async Task<string> PhoneReadsAsync(string calendar)
    {
        using var http = PhoneHttp();
        var href = (await Phone.ListEtagsAsync(calendar)).Keys.Single();
        using var answer = await SendAsPhoneAsync(http, () => new HttpRequestMessage(HttpMethod.Get, new Uri(href, UriKind.Relative)));
        answer.EnsureSuccessStatusCode();
        var text = await answer.Content.ReadAsStringAsync();
        return text.Replace("\r\n ", string.Empty, StringComparison.Ordinal).Replace("\r\n\t", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>What a phone adds to the calendar's only event, written as a phone does: GET, edit the text, PUT If-Match.</summary>
    protected Task PhoneAddsAsync(string calendar, string lines)
        => PhoneEditsAsync(calendar, text => text.Replace("END:VEVENT", lines + "END:VEVENT", StringComparison.Ordinal));

    protected async Task PhoneEditsAsync(string calendar, Func<string, string> edit)
    {
        using var http = PhoneHttp();
        var href = (await Phone.ListEtagsAsync(calendar)).Keys.Single();
        using var current = await SendAsPhoneAsync(http, () => new HttpRequestMessage(HttpMethod.Get, new Uri(href, UriKind.Relative)));
        current.EnsureSuccessStatusCode();
        var text = (await current.Content.ReadAsStringAsync()).Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        var etag = current.Headers.ETag ?? EntityTagHeaderValue.Parse((await Phone.ListEtagsAsync(calendar)).Values.Single()!);
        var edited = edit(text);
        using var answer = await SendAsPhoneAsync(http, () =>
        {
            var put = new HttpRequestMessage(HttpMethod.Put, new Uri(href, UriKind.Relative)) { Content = new StringContent(edited, Encoding.UTF8, "text/calendar") };
            put.Headers.IfMatch.Add(etag);
            return put;
        });
        Assert.That((int)answer.StatusCode, Is.InRange(200, 299), await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Sends, and sends again on a connection the server dropped before answering (Radicale's HTTP/1.0
    /// server does now and then), as a phone would.</summary>
    private static async Task<HttpResponseMessage> SendAsPhoneAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            try
            {
                return await http.SendAsync(message);
            }
            catch (HttpRequestException) when (attempt < 3)
            {
            }
        }
    }

    private HttpClient PhoneHttp()
    {
        var http = new HttpClient { BaseAddress = CalDavServers.Url(Server) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{CalDavServers.Username}:{CalDavServers.Password}")));
        return http;
    }
}
