using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>The main flow without a mouse, and managing a binding on the page.</summary>
public sealed class SettingsPageKeyboardTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task The_whole_first_flow_works_with_the_keyboard_alone()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var caldav = CalDavServers.Client(radicale, CalDavServers.TestOptions());
        var calendar = $"{await caldav.FindCalendarHomeAsync(await caldav.FindPrincipalAsync())}keys-{Guid.NewGuid():N}/";
        await caldav.MakeCalendarAsync(calendar, "Keyboard court");
        var acme = await CreateProjectAsync(As(Alice), "Acme GmbH", "client");
        await Page.GotoAsync("/");

        await TabToAsync(Page.GetByLabel("Sign in as (e-mail)"));
        await Page.Keyboard.TypeAsync(Alice);
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        await Expect(Page.Locator("main[aria-busy]")).ToHaveCountAsync(0);

        await TabToAsync(Page.GetByLabel("Server address"));
        await Page.Keyboard.TypeAsync(radicale.ToString());
        await TabToAsync(Page.GetByLabel("Username"));
        await Page.Keyboard.TypeAsync(CalDavServers.Username);
        await TabToAsync(Page.GetByLabel("Password", new() { Exact = true }));
        await Page.Keyboard.TypeAsync(CalDavServers.Password);
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Save account" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Account saved.");

        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Check connection" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected");
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Bind “Keyboard court”…" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByLabel("Name in Paliad")).ToBeFocusedAsync();
        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.GetByLabel("What to put in it")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("A client");
        await Expect(Page.GetByLabel("What to put in it")).ToHaveValueAsync("client");
        await Expect(Page.GetByLabel("Project")).ToHaveValueAsync(acme.ToString());
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Bind", Exact = true }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#bindings")).ToContainTextAsync("Acme GmbH");

        await CreateAppointmentAsync(As(Alice), "Oral hearing", acme);
        await TabToAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Sync now" }));
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Sync finished.");
        await Expect(Page.Locator("#sync-results tbody tr td").Nth(1)).ToHaveTextAsync("1");
        Assert.That(await caldav.ListEtagsAsync(calendar), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Deleting_a_binding_and_leaving_its_events_leaves_them_in_the_calendar()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var caldav = CalDavServers.Client(radicale, CalDavServers.TestOptions());
        var calendar = $"{await caldav.FindCalendarHomeAsync(await caldav.FindPrincipalAsync())}leave-{Guid.NewGuid():N}/";
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = radicale.ToString(), username = CalDavServers.Username, password = CalDavServers.Password }),
            HttpStatusCode.OK);
        var bindingId = await CreateBindingAsync(alice, calendar, "personal_only");
        await CreateAppointmentAsync(alice, "Deadline");
        await TestHost.Api.Services.GetRequiredService<SyncEngine>().SyncBindingAsync(bindingId, CancellationToken.None);
        Assert.That(await caldav.ListEtagsAsync(calendar), Has.Count.EqualTo(1));

        await SignInAsync(Alice);
        await Expect(Page.Locator("#bindings li")).ToHaveCountAsync(1);
        await AssertAccessibleAsync("bindings");
        await ScreenshotAsync("bindings-desktop");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("bindings-360");
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Delete “{calendar}”…" }).ClickAsync();
        await AssertAccessibleAsync("delete dialog");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Delete and leave the events" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync("Binding deleted; its events stay in the calendar.");
        await Expect(Page.Locator("#bindings li")).ToHaveCountAsync(0);
        var outbox = TestHost.Api.Services.GetRequiredService<OutboxProcessor>();
        while (await outbox.ProcessPendingAsync() > 0)
        {
        }

        Assert.That(await caldav.ListEtagsAsync(calendar), Has.Count.EqualTo(1), "the calendar keeps Paliad's event");
    }
}
