using Microsoft.Playwright;
using Paliad.IntegrationTests.CalDav;
using static Microsoft.Playwright.Assertions;

namespace Paliad.IntegrationTests.Browser;

/// <summary>Each way a connection check fails is said in plain words, not as a status code.</summary>
public sealed class SettingsPageFailureTests : BrowserTest
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_wrong_password_is_said_so()
    {
        await CheckAsync(CalDavServers.Url(CalDavServers.Cyrus), "not-the-password");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("The server did not accept the username or password.");
    }

    [Test]
    public async Task A_server_that_is_not_there_is_said_so()
    {
        await CheckAsync(new Uri("http://127.0.0.1:9/"), "x");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("The server could not be found, or it did not answer. Check the address.");
    }

    [Test]
    public async Task A_server_that_does_not_answer_in_time_is_said_so()
    {
        await using var blackhole = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        blackhole.Inject(new Fault.Blackhole(null) { Always = true });

        await CheckAsync(blackhole.Url, "x");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("The server took too long to answer. Try again in a moment.", new() { Timeout = 20_000 });
    }

    [Test]
    public async Task A_web_site_that_is_no_CalDAV_server_is_said_so()
    {
        await using var website = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        website.Inject(new Fault.Respond(null, 200, () => "<!doctype html><title>Law firm</title>") { Always = true });

        await CheckAsync(website.Url, "x");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("That address answered, but not as a CalDAV calendar server. Check the address.");
        await AssertAccessibleAsync("connection failed");
        await ScreenshotAsync("connection-failed-desktop");
        await SetPhoneWidthAsync();
        await ScreenshotAsync("connection-failed-360");
    }

    private async Task CheckAsync(Uri server, string password)
    {
        await SignInAsync(Alice);
        await SaveAccountAsync(server, CalDavServers.Username, password);
        await Expect(Page.Locator("#status")).ToHaveTextAsync("Account saved.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check connection" }).ClickAsync();
    }
}

/// <summary>Against a host that keeps CalDav:AllowPrivateNetworks off, as production does: a loopback server address
/// is refused in plain words beside the field.</summary>
public sealed class SettingsPageAddressTests : BrowserTest
{
    protected override IReadOnlyDictionary<string, string> HostSettings { get; } = new Dictionary<string, string> { ["CalDav:AllowPrivateNetworks"] = "false" };

    [Test]
    public async Task An_address_that_is_not_allowed_is_said_so_beside_the_field()
    {
        await SignInAsync("alice@firm.example");

        await SaveAccountAsync(new Uri("http://127.0.0.1:5232/"), "alice", "secret");

        await Expect(Page.Locator("#status")).ToHaveTextAsync("Please correct the fields marked below.");
        await Expect(Page.Locator("#serverUrl-error")).ToContainTextAsync("address not allowed");
        await Expect(Page.GetByLabel("Server address")).ToHaveAttributeAsync("aria-invalid", "true");
    }
}
