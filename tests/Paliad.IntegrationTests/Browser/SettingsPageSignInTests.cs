using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>Production sign-in: a token from the URL fragment (as a Supabase redirect sends it) or pasted, kept for
/// the tab only.</summary>
public sealed class SettingsPageSignInTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_token_in_the_fragment_says_whose_account_it_opens_and_signs_in_only_when_confirmed()
    {
        await Page.GotoAsync($"/#access_token={TokenFor(Alice)}&token_type=bearer");

        await Expect(Page.Locator("#confirm-sign-in")).ToBeVisibleAsync();
        await Expect(Page.Locator("#confirm-email")).ToHaveTextAsync(Alice);
        await Expect(Page.Locator("#app")).ToBeHiddenAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeHiddenAsync();
        Assert.That(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('paliad.accessToken')"), Is.Null, "not used before confirming");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        Assert.That(new Uri(Page.Url).Fragment, Is.Empty, "the token does not stay in the address bar or the history");

        var other = await Context.NewPageAsync();
        await other.GotoAsync("/");
        await Expect(other.Locator("#sign-in")).ToBeVisibleAsync();
        await other.CloseAsync();
    }

    [Test]
    public async Task Someone_elses_token_in_a_link_is_not_used_when_the_person_cancels()
    {
        await SignInAsync(Alice);
        await Page.GotoAsync($"/?from=link#access_token={TokenFor("mallory@firm.example")}"); // a new page load, not a hash change

        await Expect(Page.Locator("#confirm-email")).ToHaveTextAsync("mallory@firm.example");
        await Expect(Page.Locator("#confirm-current")).ToHaveTextAsync(Alice);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        await Expect(Page.Locator("#status")).ToHaveTextAsync("The link's sign-in was not used.");
    }

    [Test]
    public async Task A_fresh_token_for_the_account_already_signed_in_is_used_without_asking()
    {
        await SignInAsync(Alice);

        await Page.GotoAsync($"/?from=link#access_token={TokenFor(Alice, TimeSpan.FromHours(2))}");

        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        await Expect(Page.Locator("#confirm-sign-in")).ToBeHiddenAsync();
    }

    [Test]
    public async Task A_forged_token_naming_the_signed_in_account_does_not_replace_the_sign_in()
    {
        await SignInAsync(Alice);
        var forged = Paliad.Api.Auth.DevelopmentTokens.Mint(
            new Paliad.Api.Auth.AuthOptions { JwtSigningKey = "someone-elses-signing-key-0123456789abcdefgh" }, Alice, null, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

        await Page.GotoAsync($"/?from=link#access_token={forged}");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("The sign-in link is not valid (any more).");
        await Expect(Page.Locator("#who-email")).ToHaveTextAsync(Alice);
        Assert.That(await Page.EvaluateAsync<string?>("() => sessionStorage.getItem('paliad.accessToken')"), Is.Not.EqualTo(forged));
    }

    [Test]
    public async Task Sign_out_is_not_offered_while_nobody_is_signed_in()
    {
        await Page.GotoAsync("/");

        await Expect(Page.Locator("#sign-in")).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeHiddenAsync();
    }

    [Test]
    public async Task The_page_is_served_with_a_strict_content_security_policy_and_runs_under_it()
    {
        var response = await Page.GotoAsync("/");
        await SignInAsync(Alice);

        var headers = await response!.AllHeadersAsync();
        Assert.That(headers["content-security-policy"], Is.EqualTo("default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"));
        Assert.That(headers["x-content-type-options"], Is.EqualTo("nosniff"));
        Assert.That(headers["referrer-policy"], Is.EqualTo("no-referrer"));

        // An injected inline script (what a stored XSS would be) is refused; on a page of its own, so the refusal the
        // browser logs is not counted among this page's console errors.
        var probe = await Context.NewPageAsync();
        await probe.GotoAsync("/");
        var outcome = await probe.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              document.addEventListener("securitypolicyviolation", e => resolve("refused:" + e.effectiveDirective), { once: true });
              const script = document.createElement("script");
              script.textContent = "window.injected = true";
              document.head.append(script);
              setTimeout(() => resolve(window.injected ? "ran" : "silent"), 2000);
            })
            """);
        await probe.CloseAsync();
        Assert.That(outcome, Does.StartWith("refused:script-src"));
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
