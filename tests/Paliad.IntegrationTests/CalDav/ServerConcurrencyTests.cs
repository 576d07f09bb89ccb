using Paliad.Infrastructure.CalDav;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>The per-server window (AIMD): halves on 429/503, grows by 1/window otherwise, between 1 and the maximum,
/// and lets waiting requests in as it opens.</summary>
public sealed class ServerConcurrencyTests
{
    private static readonly Uri Server = new("https://dav.example.com/");

    private static ServerConcurrency.Window NewWindow(int max = 4)
        => new ServerConcurrency(() => new CalDavOptions { MaxConcurrentRequestsPerServer = max }).For(Server);

    [Test]
    public async Task Overload_halves_the_window_and_successes_grow_it_back_slowly()
    {
        var window = NewWindow();
        await window.EnterAsync(CancellationToken.None);

        window.Leave(overloaded: true);
        Assert.That(window.Size, Is.EqualTo(2));

        await window.EnterAsync(CancellationToken.None);
        window.Leave(overloaded: false);
        Assert.That(window.Size, Is.EqualTo(2.5));

        for (var i = 0; i < 10; i++)
        {
            await window.EnterAsync(CancellationToken.None);
            window.Leave(overloaded: false);
        }

        Assert.That(window.Size, Is.EqualTo(4), "never above CalDav:MaxConcurrentRequestsPerServer");
    }

    [Test]
    public async Task The_window_never_closes_below_one()
    {
        var window = NewWindow(max: 1);
        for (var i = 0; i < 5; i++)
        {
            await window.EnterAsync(CancellationToken.None);
            window.Leave(overloaded: true);
        }

        Assert.That(window.Size, Is.EqualTo(1));
        Assert.That(window.EnterAsync(CancellationToken.None).IsCompletedSuccessfully, Is.True, "one request always gets through");
    }

    [Test]
    public async Task Requests_beyond_the_window_wait_until_one_leaves()
    {
        var window = NewWindow(max: 2);
        await window.EnterAsync(CancellationToken.None);
        await window.EnterAsync(CancellationToken.None);

        var third = window.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.That(third.IsCompleted, Is.False);

        window.Leave(overloaded: false);
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(third.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task A_waiting_request_can_be_cancelled()
    {
        var window = NewWindow(max: 1);
        await window.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = window.EnterAsync(cancel.Token);
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => waiting);
    }

    [Test]
    public void Each_server_has_its_own_window()
    {
        var concurrency = new ServerConcurrency(() => new CalDavOptions { MaxConcurrentRequestsPerServer = 4 });

        Assert.That(concurrency.For(new Uri("https://a.example/x/")), Is.SameAs(concurrency.For(new Uri("https://a.example/y/"))));
        Assert.That(concurrency.For(new Uri("https://a.example/")), Is.Not.SameAs(concurrency.For(new Uri("https://b.example/"))));
        Assert.That(concurrency.WindowOf("c.example"), Is.EqualTo(4));
    }
}
