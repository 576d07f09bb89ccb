using Paliad.Infrastructure.CalDav;

namespace Paliad.UnitTests.CalDav;

/// <summary>The per-server window (AIMD): halves on 429/503, grows by 1/window otherwise, between 1 and the maximum,
/// and lets waiting requests in as it opens; between overloads it follows the answers' round trips (Vegas).</summary>
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

    [Test]
    public async Task Round_trips_that_grow_with_the_window_narrow_it_towards_one()
    {
        // A server that takes one request at a time: with four in flight each answer waits for the three before it.
        var window = NewWindow();
        await AnswerAsync(window, "PUT", 10);
        await AnswerAsync(window, "PUT", 10);
        Assert.That(window.Size, Is.EqualTo(4));

        for (var i = 0; i < 40; i++)
        {
            await AnswerAsync(window, "PUT", 10 * Math.Max(1, (int)window.Size));
        }

        // It settles where about one request waits: between one and two in flight, never back at four.
        Assert.That(window.Size, Is.InRange(1.0, 3.0), "requests only queue at a server that serialises them");
    }

    [Test]
    public async Task Round_trips_that_stay_flat_keep_the_window_open()
    {
        // A server 50 ms away that works on requests side by side: concurrency costs no waiting.
        var window = NewWindow();
        window.Leave(overloaded: true);
        Assert.That(window.Size, Is.EqualTo(2));

        for (var i = 0; i < 10; i++)
        {
            await AnswerAsync(window, "PUT", 50 + (i % 2));
        }

        Assert.That(window.Size, Is.EqualTo(4));
    }

    [Test]
    public async Task Waiting_estimated_between_the_thresholds_holds_the_window()
    {
        var window = NewWindow();
        window.Leave(overloaded: true);
        await AnswerAsync(window, "PUT", 40);
        var size = window.Size; // 2.5: widened, nothing waited yet

        // 2.5 × (1 − 40/60) ≈ 0.83 waiting: between ServerConcurrency.QueuedLow and QueuedHigh.
        await AnswerAsync(window, "PUT", 200);
        Assert.That(window.Size, Is.EqualTo(size));
    }

    [Test]
    public async Task A_slow_answer_to_another_method_says_nothing_about_the_queue()
    {
        // A PROPFIND of a large calendar takes long; it is not a PUT that waited.
        var window = NewWindow();
        for (var i = 0; i < 5; i++)
        {
            await AnswerAsync(window, "PUT", 10);
        }

        await AnswerAsync(window, "PROPFIND", 500);
        await AnswerAsync(window, "PUT", 10);

        Assert.That(window.Size, Is.EqualTo(4));
    }

    [Test]
    public async Task The_fastest_round_trip_is_relearnt_as_the_server_slows_for_everyone()
    {
        // Every PUT into a growing collection gets slower; after a while the slower answers are the new normal.
        var window = NewWindow();
        await AnswerAsync(window, "PUT", 10);
        for (var i = 0; i < 200; i++)
        {
            await AnswerAsync(window, "PUT", 40);
        }

        Assert.That(window.Size, Is.EqualTo(4));
    }

    private static async Task AnswerAsync(ServerConcurrency.Window window, string method, int milliseconds)
    {
        await window.EnterAsync(CancellationToken.None);
        window.Leave(overloaded: false, method, TimeSpan.FromMilliseconds(milliseconds));
    }

    [Test]
    public async Task On_a_shared_provider_each_account_has_its_own_window_and_one_accounts_overload_narrows_only_its_own()
    {
        var concurrency = new ServerConcurrency(() => new CalDavOptions { MaxConcurrentRequestsPerServer = 4 });
        using var alices = new HttpRequestMessage(HttpMethod.Get, "https://apidata.googleusercontent.com/caldav/v2/alice/events/");
        alices.Options.Set(CalDavHttp.PartitionKey, "apidata.googleusercontent.com#alice");
        using var bobs = new HttpRequestMessage(HttpMethod.Get, "https://apidata.googleusercontent.com/caldav/v2/bob/events/");
        bobs.Options.Set(CalDavHttp.PartitionKey, "apidata.googleusercontent.com#bob");
        using var plain = new HttpRequestMessage(HttpMethod.Get, "https://apidata.googleusercontent.com/caldav/v2/");

        var alice = concurrency.For(CalDavHttp.PartitionOf(alices));
        await alice.EnterAsync(CancellationToken.None);
        alice.Leave(overloaded: true);

        Assert.That(CalDavHttp.PartitionOf(plain), Is.EqualTo("apidata.googleusercontent.com"), "without a partition: the server's authority");
        Assert.That(alice.Size, Is.EqualTo(2));
        Assert.That(concurrency.For(CalDavHttp.PartitionOf(bobs)).Size, Is.EqualTo(4), "Bob's window is untouched by Alice's 429");
        Assert.That(concurrency.For(CalDavHttp.PartitionOf(plain)).Size, Is.EqualTo(4));
    }
}
