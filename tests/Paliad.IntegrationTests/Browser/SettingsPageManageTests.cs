using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>Managing bindings on the page (disable, rename, rescope), the sync log (filter, more on demand) and the
/// activity feed.</summary>
public sealed class SettingsPageManageTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_binding_is_disabled_renamed_and_rescoped_on_the_page()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var beta = await CreateProjectAsync(alice, "Beta v. Acme", "litigation", acme);
        var id = await CreateBindingAsync(alice, "/paliad/court/", "personal_only");
        await SignInAsync(Alice);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Disable “/paliad/court/”" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Binding disabled.");
        await Expect(Page.Locator("#bindings li")).ToContainTextAsync("disabled");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Change “/paliad/court/”…" }).ClickAsync();
        await Page.GetByLabel("Name in Paliad").FillAsync("Litigation calendar");
        await Page.GetByLabel("What to put in it").SelectOptionAsync("litigation");
        await Expect(Page.GetByLabel("Project")).ToHaveValueAsync(beta.ToString());
        Assert.That(await Page.Locator($"#bind-project option[value='{acme}']").IsDisabledAsync(), Is.True, "a client cannot be picked for a litigation scope");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        await Expect(Page.Locator("#bindings li")).ToContainTextAsync("A litigation and everything below it: Beta v. Acme");
        var binding = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{id}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(binding.GetProperty("displayName").GetString(), Is.EqualTo("Litigation calendar"));
        Assert.That(binding.GetProperty("enabled").GetBoolean(), Is.False);
        Assert.That(binding.GetProperty("scope").GetString(), Is.EqualTo("litigation"));
        Assert.That(binding.GetProperty("scopeId").GetGuid(), Is.EqualTo(beta));
    }

    [Test]
    public async Task The_sync_log_filters_by_binding_and_shows_more_on_demand_and_the_activity_feed_is_listed()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = radicale.ToString(), username = CalDavServers.Username, password = CalDavServers.Password }),
            HttpStatusCode.OK);
        var home = await CalDavServers.Client(radicale, CalDavServers.TestOptions()).FindCalendarHomeAsync("/paliad/");
        var busy = await CreateBindingAsync(alice, $"{home}busy-{Guid.NewGuid():N}/", "personal_only");
        var quiet = await CreateBindingAsync(alice, $"{home}quiet-{Guid.NewGuid():N}/", "personal_only");
        var engine = TestHost.Api.Services.GetRequiredService<SyncEngine>();
        for (var i = 0; i < 12; i++)
        {
            await engine.SyncBindingAsync(busy, CancellationToken.None);
        }

        await engine.SyncBindingAsync(quiet, CancellationToken.None);
        await ExecuteAsync(
            """
            INSERT INTO paliad.caldav_activity (id, user_id, at, kind, appointment_id, appointment_title, binding_id, calendar_path, detail)
            VALUES (gen_random_uuid(), @user, now(), 'remote_deletion_reverted', gen_random_uuid(), 'Oral hearing', @binding, '/c/',
                    '''Oral hearing'' (3 Dec 2026) was deleted in your calendar and put back: appointments are removed in Paliad only.')
            """,
            ("user", UserIdOf(Alice)), ("binding", busy));
        await SignInAsync(Alice);

        await Expect(Page.Locator("#log li")).ToHaveCountAsync(10);
        await Page.GetByRole(AriaRole.Button, new() { Name = "More" }).First.ClickAsync();
        await Expect(Page.Locator("#log li")).ToHaveCountAsync(13);
        await Page.GetByLabel("Show the log of").SelectOptionAsync(quiet.ToString());
        await Expect(Page.Locator("#log li")).ToHaveCountAsync(1);
        await Expect(Page.Locator("#log li")).ToContainTextAsync("quiet-");
        await Expect(Page.Locator("#activity li")).ToHaveCountAsync(1);
        await Expect(Page.Locator("#activity li")).ToContainTextAsync("was deleted in your calendar and put back");
        await AssertAccessibleAsync("log and activity");
        await ScreenshotAsync("log-and-activity-desktop");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("log-and-activity-360");
    }

    [Test]
    public async Task A_held_binding_says_how_many_changes_it_holds_and_offers_both_decisions()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = radicale.ToString(), username = CalDavServers.Username, password = CalDavServers.Password }),
            HttpStatusCode.OK);
        var client = CalDavServers.Client(radicale, CalDavServers.TestOptions());
        var calendar = $"{await client.FindCalendarHomeAsync("/paliad/")}held-{Guid.NewGuid():N}/";
        await client.MakeCalendarAsync(calendar, "Court dates");
        var id = await CreateBindingAsync(alice, calendar, "personal_only");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET held_changes = 30, sync_status = 'held' WHERE id = @id", ("id", id));
        await SignInAsync(Alice);

        var notice = Page.GetByRole(AriaRole.Group, new() { Name = $"Held changes in “{calendar}”" });
        await Expect(notice).ToContainTextAsync("This calendar changed 30 appointments at once");
        await Expect(notice).ToContainTextAsync("Nothing was changed in Paliad yet");
        await Expect(notice.GetByRole(AriaRole.Button, new() { Name = "Put Paliad's 30 appointments back" })).ToBeVisibleAsync();
        await AssertAccessibleAsync("held binding");
        await notice.GetByRole(AriaRole.Button, new() { Name = "Apply the 30 appointments" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync("The calendar's changes were applied.");
        await Expect(notice).ToHaveCountAsync(0);
        var binding = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{id}", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That((binding.GetProperty("heldChanges").GetInt32(), binding.GetProperty("syncStatus").GetString()), Is.EqualTo((0, "ok")));
    }
}
