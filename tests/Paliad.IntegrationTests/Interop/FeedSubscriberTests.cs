using System.Diagnostics;
using System.Text.Json;
using Ical.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Interop;

/// <summary>An independent client subscribes to a feed: Debian's vdirsyncer syncs its read-only <c>http</c> storage
/// from the feed URL (the API on Kestrel) into a folder, and every event arrives with its instants — across a DST
/// change, all-day, another zone — as Paliad holds them.</summary>
public sealed class FeedSubscriberTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Vdirsyncer = "/usr/bin/vdirsyncer";
    private PaliadApiFactory _host = null!;
    private Uri _baseUrl = null!;
    private string _work = null!;

    [OneTimeSetUp]
    public void StartHost()
    {
        _host = new PaliadApiFactory(TestDatabase.ConnectionString);
        _host.UseKestrel(0);
        _host.StartServer();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _baseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [SetUp]
    public void MakeFolder() => _work = Directory.CreateTempSubdirectory("paliad-feed-vdirsyncer-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_work, recursive: true);

    [Test]
    public async Task Vdirsyncer_subscribed_to_the_feed_gets_every_event_at_its_instants()
    {
        Assert.That(File.Exists(Vdirsyncer), Is.True, "vdirsyncer is installed by ./paliad test (Debian package vdirsyncer)");
        var year = DateTimeOffset.UtcNow.Year + 1;
        var expected = new Dictionary<string, (DateTimeOffset Start, DateTimeOffset End)>
        {
            // 01:30 UTC on the last Sunday of March: 02:30 local does not exist that night, 03:30 CEST does.
            ["Before the clocks change"] = (LastSunday(year, 3).AddHours(-1).AddMinutes(-30), LastSunday(year, 3).AddHours(1)),
            ["Hearing in New York"] = (new DateTimeOffset(year, 7, 14, 14, 0, 0, TimeSpan.FromHours(-4)), new DateTimeOffset(year, 7, 14, 16, 0, 0, TimeSpan.FromHours(-4))),
        };
        foreach (var (title, (start, end)) in expected)
        {
            var zone = title.Contains("New York", StringComparison.Ordinal) ? "America/New_York" : "Europe/Berlin";
            await ExpectAsync(PostAsync(As(Alice), "/api/appointments", new { title, startsAt = start, endsAt = end, timeZone = zone }), System.Net.HttpStatusCode.Created);
        }

        await ExpectAsync(PostAsync(As(Alice), "/api/appointments", new
        {
            title = "Court holiday", startsAt = new DateTimeOffset(year, 5, 1, 0, 0, 0, TimeSpan.FromHours(2)), endsAt = new DateTimeOffset(year, 5, 1, 0, 0, 0, TimeSpan.FromHours(2)),
            allDay = true, timeZone = "Europe/Berlin",
        }), System.Net.HttpStatusCode.Created);
        var feed = await ExpectAsync(PostAsync(As(Alice), "/api/calendar-feeds", new { displayName = "Court dates", scope = "personal_only" }), System.Net.HttpStatusCode.Created);
        var url = new Uri(_baseUrl, new Uri(feed.GetProperty("url").GetString()!).PathAndQuery);

        await SyncAsync(url);

        var events = Directory.EnumerateFiles(Path.Combine(_work, "calendar"), "*.ics")
            .Select(f => Calendar.Load(File.ReadAllText(f))!.Events.Single())
            .ToDictionary(e => e.Summary!);
        Assert.That(events.Keys, Is.EquivalentTo(expected.Keys.Append("Court holiday")));
        foreach (var (title, (start, end)) in expected)
        {
            Assert.That(events[title].DtStart!.AsUtc, Is.EqualTo(start.UtcDateTime), title);
            Assert.That(events[title].DtEnd!.AsUtc, Is.EqualTo(end.UtcDateTime), title);
        }

        Assert.That(events["Court holiday"].DtStart!.HasTime, Is.False, "all-day stays a DATE");
        Assert.That(events["Court holiday"].DtStart!.Date, Is.EqualTo(new DateOnly(year, 5, 1)));
        // (vdirsyncer's http storage replaces every UID with a hash of the item — its ignore_uids default — so the
        // feed's own UIDs are checked by FeedsApiTests, not here.)
    }

    private static DateTimeOffset LastSunday(int year, int month)
    {
        var day = new DateTime(year, month, DateTime.DaysInMonth(year, month));
        while (day.DayOfWeek != DayOfWeek.Sunday)
        {
            day = day.AddDays(-1);
        }

        return new DateTimeOffset(day.AddHours(2), TimeSpan.FromHours(1)); // 02:00 CET, when the clocks go forward
    }

    private async Task SyncAsync(Uri url)
    {
        var local = Path.Combine(_work, "calendar");
        Directory.CreateDirectory(local);
        var config = Path.Combine(_work, "config");
        await File.WriteAllTextAsync(config, $"""
            [general]
            status_path = {JsonSerializer.Serialize(Path.Combine(_work, "status"))}

            [pair feed]
            a = "feed_remote"
            b = "feed_local"
            collections = null

            [storage feed_remote]
            type = "http"
            url = {JsonSerializer.Serialize(url.AbsoluteUri)}

            [storage feed_local]
            type = "filesystem"
            path = {JsonSerializer.Serialize(local)}
            fileext = ".ics"

            """);
        foreach (var command in new[] { "discover", "sync" })
        {
            var start = new ProcessStartInfo(Vdirsyncer) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(config);
            start.ArgumentList.Add(command);
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.That(process.ExitCode, Is.Zero, $"vdirsyncer {command}: {await output}{await error}");
        }
    }
}
