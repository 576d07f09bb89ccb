using Microsoft.Playwright;
using Paliad.IntegrationTests.CalDav;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>The settings page's main flow in a real browser, through the page alone: from an empty database to an
/// event in Radicale.</summary>
public sealed class SettingsPageFlowTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task From_an_empty_database_to_an_event_in_Radicale_through_the_page()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var caldav = CalDavServers.Client(radicale, CalDavServers.TestOptions());
        var calendar = $"{await caldav.FindCalendarHomeAsync(await caldav.FindPrincipalAsync())}court-{Guid.NewGuid():N}/";
        await caldav.MakeCalendarAsync(calendar, "Court dates");
        var acme = await CreateProjectAsync(As(Alice), "Acme GmbH", "client");

        await Page.GotoAsync("/");
        await ScreenshotAsync("sign-in-desktop");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("sign-in-360");
        await Page.SetViewportSizeAsync(1280, 900);
        await AssertAccessibleAsync("sign in");
        await SignInAsync(Alice);
        await AssertAccessibleAsync("signed in, no account");

        await SaveAccountAsync(radicale, CalDavServers.Username, CalDavServers.Password);
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Account saved.");
        await Expect(Page.Locator("#password-state")).ToHaveTextAsync("A password is saved. It is never shown.");
        await Expect(Page.GetByLabel("Password", new() { Exact = true })).ToHaveValueAsync(string.Empty);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Check connection" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Bind “Court dates”…" }).ClickAsync();
        await Page.GetByLabel("What to put in it").SelectOptionAsync("client");
        await Expect(Page.GetByLabel("Project")).ToHaveValueAsync(acme.ToString());
        await ScreenshotAsync("bind-desktop");
        await AssertAccessibleAsync("bind dialog");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("bind-360");
        await Page.SetViewportSizeAsync(1280, 900);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Bind", Exact = true }).ClickAsync();
        await Expect(Page.Locator("#bindings")).ToContainTextAsync("A client and everything below it: Acme GmbH");

        await CreateAppointmentAsync(As(Alice), "Oral hearing", acme);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Sync finished.");
        var row = Page.Locator("#sync-results tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("ok");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Expect(Page.Locator("#log li").First).ToContainTextAsync("pushed 1");
        await ScreenshotAsync("synced-desktop");
        await AssertAccessibleAsync("synced");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("synced-360");

        var titles = new List<string?>();
        foreach (var resource in (await caldav.MultigetAsync(calendar, (await caldav.ListEtagsAsync(calendar)).Keys.ToList())).Found.Values)
        {
            Assert.That(Paliad.Infrastructure.CalDav.ICalendar.ICalendarMapper.TryParse(resource.ICalendar, "UTC", out var parsed, out _), Is.True);
            titles.Add(parsed!.Title);
        }

        Assert.That(titles, Is.EqualTo(new[] { "Oral hearing" }));
    }
}
