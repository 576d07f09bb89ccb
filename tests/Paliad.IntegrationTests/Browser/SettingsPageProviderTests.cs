using Microsoft.Playwright;
using Paliad.IntegrationTests.Identity;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>The page's presets and the OAuth round trip in Chromium: choose the provider, consent at its (real)
/// authorization server, come back to <c>#caldav=connected</c>; a refused consent, a revoked grant's Reconnect, and
/// what the presets fill in.</summary>
public sealed class SettingsPageProviderTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    protected override IReadOnlyDictionary<string, string> HostSettings { get; } =
        new Dictionary<string, string>(TestHost.OAuth.Settings()) { ["CalDav:DiscoveryTimeoutSeconds"] = "3" };

    private static OAuthTestProvider OAuth => TestHost.OAuth;

    [OneTimeSetUp]
    public async Task RegisterThisHostAsync()
        => await OAuth.Server.AllowRedirectUriAsync(new Uri(BaseUrl, $"/api/caldav-oauth/{OAuthTestProvider.Name}/callback"));

    [TearDown]
    public void ConsentAgain() => OAuth.Server.DenyConsent = false;

    [Test]
    public async Task Connecting_through_the_provider_comes_back_connected()
    {
        await SignInAsync(Alice);
        await Page.GetByLabel("Where your calendars are").SelectOptionAsync(new SelectOptionValue { Label = OAuthTestProvider.DisplayName });
        await Expect(Page.Locator("#preset-hint")).ToContainTextAsync($"You sign in at {OAuthTestProvider.DisplayName}");
        await Expect(Page.Locator("#account-form")).ToBeHiddenAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = $"Connect {OAuthTestProvider.DisplayName}" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync($"Your {OAuthTestProvider.DisplayName} account is connected. Pick the calendars to bind below.");
        await Expect(Page.Locator("#connected-through-text")).ToContainTextAsync($"Connected through {OAuthTestProvider.DisplayName} as {TestAuthorizationServer.Email}");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = $"Reconnect {OAuthTestProvider.DisplayName}" })).ToBeHiddenAsync();
        Assert.That(new Uri(Page.Url).Fragment, Is.Empty, "the outcome is taken out of the address bar");
        Assert.That(await ScalarAsync<string>("SELECT auth_kind FROM paliad.user_caldav_config WHERE user_id = @u", ("u", UserIdOf(Alice))), Is.EqualTo("oauth2"));

        await Page.GetByRole(AriaRole.Button, new() { Name = "Check connection" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected:");
        await AssertAccessibleAsync("connected through a provider");
        await ScreenshotAsync("provider-connected");
    }

    [Test]
    public async Task A_refused_consent_is_said_plainly_and_nothing_is_connected()
    {
        OAuth.Server.DenyConsent = true;
        await SignInAsync(Alice);
        await Page.GetByLabel("Where your calendars are").SelectOptionAsync(new SelectOptionValue { Label = OAuthTestProvider.DisplayName });

        await Page.GetByRole(AriaRole.Button, new() { Name = $"Connect {OAuthTestProvider.DisplayName}" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync("You did not allow Paliad access, so nothing was connected.");
        await Expect(Page.Locator("#connected-through")).ToBeHiddenAsync();
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config"), Is.Zero);
    }

    [Test]
    public async Task An_account_whose_grant_was_refused_offers_reconnect_and_reconnecting_repairs_it()
    {
        await SignInAsync(Alice);
        await Page.GetByLabel("Where your calendars are").SelectOptionAsync(new SelectOptionValue { Label = OAuthTestProvider.DisplayName });
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Connect {OAuthTestProvider.DisplayName}" }).ClickAsync();
        await Expect(Page.Locator("#connected-through")).ToBeVisibleAsync();
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET needs_reconnect = true");

        await Page.ReloadAsync();
        await Expect(Page.Locator("#connected-through-text")).ToContainTextAsync($"{OAuthTestProvider.DisplayName} no longer lets Paliad in");
        await Page.GetByRole(AriaRole.Button, new() { Name = $"Reconnect {OAuthTestProvider.DisplayName}" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync($"Your {OAuthTestProvider.DisplayName} account is connected. Pick the calendars to bind below.");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = $"Reconnect {OAuthTestProvider.DisplayName}" })).ToBeHiddenAsync();
        Assert.That(await ScalarAsync<bool>("SELECT needs_reconnect FROM paliad.user_caldav_config"), Is.False);
    }

    [Test]
    public async Task Each_preset_fills_the_address_and_says_what_the_service_needs()
    {
        await SignInAsync(Alice);
        var preset = Page.GetByLabel("Where your calendars are");

        await preset.SelectOptionAsync("icloud");
        await Expect(Page.GetByLabel("Server address")).ToHaveValueAsync("https://caldav.icloud.com/");
        await Expect(Page.Locator("#preset-hint")).ToContainTextAsync("app-specific password");

        await preset.SelectOptionAsync("fastmail");
        await Expect(Page.GetByLabel("Server address")).ToHaveValueAsync("https://caldav.fastmail.com/dav/");
        await Expect(Page.Locator("#preset-hint")).ToContainTextAsync("app password");

        await preset.SelectOptionAsync("nextcloud");
        await Page.GetByLabel("Your Nextcloud's address").FillAsync("https://cloud.firm.example/");
        await Expect(Page.GetByLabel("Server address")).ToHaveValueAsync("https://cloud.firm.example/remote.php/dav/");

        await preset.SelectOptionAsync("other");
        await Expect(Page.Locator("#nextcloud-host-field")).ToBeHiddenAsync();
        await Expect(Page.Locator("#account-form")).ToBeVisibleAsync();
        await AssertAccessibleAsync("presets");

        // A saved iCloud account is shown as one, with what iCloud needs, and its address is not overwritten.
        await preset.SelectOptionAsync("icloud");
        await Page.GetByLabel("Username").FillAsync("alice@icloud.example");
        await Page.GetByLabel("Password").FillAsync("abcd-efgh-ijkl-mnop");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save account" }).ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Account saved.");
        await Page.ReloadAsync();
        await Expect(Page.GetByLabel("Where your calendars are")).ToHaveValueAsync("icloud");
        await Expect(Page.Locator("#preset-hint")).ToContainTextAsync("app-specific password");
        await Expect(Page.GetByLabel("Server address")).ToHaveValueAsync("https://caldav.icloud.com/");
    }
}
