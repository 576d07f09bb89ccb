using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Browser;

/// <summary>
/// Base of the settings page's browser tests: the real API on Kestrel on a free loopback port (Development, so the
/// page's "sign in as" exists), real PostgreSQL and CalDAV servers, and Debian's chromium driven by Playwright
/// (launched by path: Playwright's own browser download is not reachable here; as root it needs --no-sandbox).
/// Every page's console errors fail the test; screenshots go with the test results.
/// </summary>
public abstract class BrowserTest : ApiTest
{
    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
    private PaliadApiFactory _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<string> _consoleErrors = [];

    protected Uri BaseUrl { get; private set; } = null!;

    /// <summary>Settings of this fixture's API host (beyond the test defaults).</summary>
    protected virtual IReadOnlyDictionary<string, string> HostSettings { get; } = new Dictionary<string, string> { ["CalDav:DiscoveryTimeoutSeconds"] = "3" };

    protected IBrowserContext Context { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartBrowserAsync()
    {
        var chromium = ChromiumPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: run the tests with ./paliad test, which installs it.");
        var settings = new Dictionary<string, string>(HostSettings) { ["environment"] = "Development" };
        _host = new PaliadApiFactory(TestDatabase.ConnectionString, settings);
        _host.UseKestrel(0);
        _host.StartServer();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    [OneTimeTearDown]
    public async Task StopBrowserAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        _consoleErrors.Clear();
        Context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        Page = await Context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            // Chromium logs every API answer that is not 2xx ("Failed to load resource"); the page expects and explains
            // those (no account yet, a failed connection check). Anything else — a script error, a missing asset — fails.
            if (message.Type == "error"
                && !(message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && message.Location.StartsWith(new Uri(BaseUrl, "/api/").ToString(), StringComparison.Ordinal)))
            {
                _consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        Page.PageError += (_, error) => _consoleErrors.Add(error);
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await Context.DisposeAsync();
        Assert.That(_consoleErrors, Is.Empty, "the page wrote errors to the console");
    }

    /// <summary>A full-page screenshot attached to the test's results.</summary>
    protected async Task ScreenshotAsync(string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    /// <summary>A 360 px wide phone screen; the page must fit it without scrolling sideways.</summary>
    protected async Task SetPhoneWidthAsync()
    {
        await Page.SetViewportSizeAsync(360, 780);
        Assert.That(await Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(360), "no sideways scrolling at 360 px");
    }

    /// <summary>Signs in through the page's development "sign in as".</summary>
    protected async Task SignInAsync(string email)
    {
        await Page.GotoAsync("/");
        await Page.GetByLabel("Sign in as (e-mail)").FillAsync(email);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.Locator("#who-email")).ToHaveTextAsync(email);
        await Assertions.Expect(Page.Locator("main[aria-busy]")).ToHaveCountAsync(0);
    }

    /// <summary>Moves the focus with Tab alone until it reaches <paramref name="target"/> (fails when Tab never
    /// gets there), and checks the focus is visible there.</summary>
    protected async Task TabToAsync(ILocator target, int maxPresses = 80)
    {
        for (var i = 0; i < maxPresses; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                var outline = await target.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle");
                Assert.That(outline, Is.Not.EqualTo("none"), "the focused control shows where the focus is");
                return;
            }
        }

        Assert.Fail($"Tab never reached {target}");
    }

    /// <summary>Saves the account through the page's form.</summary>
    protected async Task SaveAccountAsync(Uri server, string username, string password)
    {
        await Page.GetByLabel("Server address").FillAsync(server.ToString());
        await Page.GetByLabel("Username").FillAsync(username);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Save account" }).ClickAsync();
    }

    /// <summary>No serious or critical accessibility violation (axe-core) on the page as it is now.</summary>
    protected async Task AssertAccessibleAsync(string screen)
    {
        var results = await Page.RunAxe();
        var violations = results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{screen}: {v.Id} ({v.Impact}) {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.That(violations, Is.Empty);
    }
}
