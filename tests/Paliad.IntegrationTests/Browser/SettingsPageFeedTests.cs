using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>The page's feed flow in Chromium: the picker says what the scope holds, a new feed shows its link once,
/// the link serves the calendar, a new link kills the old one, deleting kills it, and the refresh caveat is said.</summary>
public sealed class SettingsPageFeedTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_feed_is_made_for_a_scope_its_link_shown_once_rotated_and_deleted()
    {
        await CreateAppointmentAsync(As(Alice), "Oral hearing", startsAt: DateTimeOffset.UtcNow.AddDays(5));
        await CreateAppointmentAsync(As(Alice), "Closing brief", startsAt: DateTimeOffset.UtcNow.AddDays(90));
        await SignInAsync(Alice);
        await Expect(Page.Locator("#feeds-caveat")).ToContainTextAsync("every few hours");

        await Page.GetByRole(AriaRole.Button, new() { Name = "New feed…" }).ClickAsync();
        await Page.GetByLabel("Name in Paliad").FillAsync("Court dates for Outlook");
        await Page.GetByLabel("What to put in it").SelectOptionAsync("personal_only");
        await Expect(Page.Locator("#bind-count")).ToHaveTextAsync("2 appointments, 1 of them in the next 30 days.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create feed" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync("Feed created. Copy its link now: it is shown only once.");
        await Expect(Page.Locator("#feed-url")).ToHaveValueAsync(FeedLink());
        var link = await Page.Locator("#feed-url").InputValueAsync();
        Assert.That(link, Does.Contain("/feeds/").And.EndWith(".ics"));
        Assert.That(await FetchAsync(link), Is.EqualTo(HttpStatusCode.OK));
        await Expect(Page.Locator("#feeds li")).ToContainTextAsync("Only my personal appointments · last fetched never");
        await AssertAccessibleAsync("feed created");
        await ScreenshotAsync("feed-created");

        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "New link for “Court dates for Outlook”" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("New link made; the old one no longer works. Copy the new one now.");
        await Expect(Page.Locator("#feed-url")).Not.ToHaveValueAsync(link);
        var rotated = await Page.Locator("#feed-url").InputValueAsync();
        Assert.That(rotated, Is.Not.EqualTo(link));
        Assert.That(await FetchAsync(link), Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await FetchAsync(rotated), Is.EqualTo(HttpStatusCode.OK));

        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete “Court dates for Outlook”" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Feed deleted.");
        await Expect(Page.Locator("#feeds-empty")).ToBeVisibleAsync();
        Assert.That(await FetchAsync(rotated), Is.EqualTo(HttpStatusCode.NotFound));
    }

    private static System.Text.RegularExpressions.Regex FeedLink() => new(@"/feeds/[0-9a-f-]{36}/[A-Za-z0-9_-]{43}\.ics$");

    private async Task<HttpStatusCode> FetchAsync(string link)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(BaseUrl, new Uri(link).PathAndQuery));
        return response.StatusCode;
    }
}
