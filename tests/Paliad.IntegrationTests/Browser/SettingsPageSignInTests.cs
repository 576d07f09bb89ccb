using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>Production sign-in: a token from the URL fragment (as a Supabase redirect sends it) or pasted, kept for
/// the tab only.</summary>
public sealed class SettingsPageSignInTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_token_in_the_fragment_signs_in_and_leaves_the_address_bar()
    {
        await Page.GotoAsync($"/#access_token={TokenFor(Alice)}&token_type=bearer");

        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        Assert.That(new Uri(Page.Url).Fragment, Is.Empty, "the token does not stay in the address bar or the history");

        var other = await Context.NewPageAsync();
        await other.GotoAsync("/");
        await Expect(other.Locator("#sign-in")).ToBeVisibleAsync();
        await other.CloseAsync();
    }

    [Test]
    public async Task A_pasted_token_signs_in_and_signing_out_forgets_it()
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("Access token").FillAsync(TokenFor(Alice));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Use this token" }).ClickAsync();
        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Page.ReloadAsync();

        await Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Expect(Page.Locator("#app")).ToBeHiddenAsync();
    }

    [Test]
    public async Task A_token_the_API_refuses_is_said_so()
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("Access token").FillAsync("not-a-token");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Use this token" }).ClickAsync();

        await Expect(Page.Locator("#status")).ToHaveTextAsync("This sign-in is not valid (any more). Please sign in again.");
        await Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
    }
}
