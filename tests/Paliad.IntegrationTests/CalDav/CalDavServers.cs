using Microsoft.Extensions.Http.Resilience;
using Paliad.Infrastructure.CalDav;
using Polly;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>The real CalDAV servers <c>./paliad test</c> started on loopback ports.</summary>
public static class CalDavServers
{
    public const string Radicale = "radicale";
    public const string Xandikos = "xandikos";
    public const string Cyrus = "cyrus";
    public const string Username = "paliad";
    public const string Password = "paliad-test";

    /// <summary>Each CalDAV fixture runs once per server.</summary>
    public static readonly object[] All = [Radicale, Xandikos, Cyrus];

    public static Uri Url(string server)
    {
        var variable = server switch
        {
            Radicale => "PALIAD_TEST_RADICALE_URL",
            Xandikos => "PALIAD_TEST_XANDIKOS_URL",
            _ => "PALIAD_TEST_CYRUS_URL",
        };
        var url = Environment.GetEnvironmentVariable(variable)
            ?? throw new InvalidOperationException($"{variable} is not set: run the tests with ./paliad test, which starts {server}.");
        return new Uri(url);
    }

    public static CalDavOptions TestOptions(Action<CalDavOptions>? configure = null)
    {
        var options = new CalDavOptions { AllowPrivateNetworks = true, RetryBaseDelaySeconds = 0.05, MaxRetryAfterSeconds = 5, RequestTimeoutSeconds = 10 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The production HTTP stack (resilience pipeline → [spy] → SSRF-guarded sockets) around a client.</summary>
    public static CalDavClient Client(Uri server, CalDavOptions options, RequestCounter? counter = null, string? username = Username, ServerConcurrency? concurrency = null)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        CalDavHttp.Configure(pipeline, options);
        HttpMessageHandler inner = CalDavHttp.CreateAttemptHandler(() => options, concurrency);
        if (counter is not null)
        {
            counter.InnerHandler = inner;
            inner = counter;
        }

#pragma warning disable CA2000 // the HttpClient owns and disposes the handler chain
        var http = new HttpClient(new ResilienceHandler(pipeline.Build()) { InnerHandler = inner }) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        return new CalDavClient(http, new CalDavAccount(server, username ?? string.Empty, Password), options);
    }
}

/// <summary>Counts the requests that reach the wire, by method (each retry attempt counts), and separately those the
/// server answered (an attempt cut off by its timeout on a slow machine is not an answered request).</summary>
public sealed class RequestCounter : DelegatingHandler
{
    private readonly List<string> _requests = [];
    private readonly List<string> _answered = [];

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public int Count(string method) => Requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal));

    public int Answered(string method)
    {
        lock (_requests)
        {
            return _answered.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal));
        }
    }

    public void Reset()
    {
        lock (_requests)
        {
            _requests.Clear();
            _answered.Clear();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var line = $"{request.Method.Method} {request.RequestUri!.AbsolutePath}";
        lock (_requests)
        {
            _requests.Add(line);
        }

        var response = await base.SendAsync(request, cancellationToken);
        lock (_requests)
        {
            _answered.Add(line);
        }

        return response;
    }
}
