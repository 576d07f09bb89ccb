using System.Collections.Concurrent;
using System.Net;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// How many requests may be in flight to one CalDAV server (by authority) from this process, across every binding
/// and user: at most CalDav:MaxConcurrentRequestsPerServer, lowered when the server says it is overloaded. AIMD, as
/// TCP does it: a 429 or 503 halves the server's window, every other answer widens it by 1/window, so concurrency
/// backs off at once and comes back slowly — it never turns into a rate-limit storm. 500, 502 and 504 count as
/// overload too: servers such as Radicale answer 500 when concurrent writes collide.
/// </summary>
public sealed class ServerConcurrency(Func<CalDavOptions> options)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The current window of a server (for diagnostics and tests).</summary>
    public double WindowOf(string authority) => _windows.TryGetValue(authority, out var window) ? window.Size : Math.Max(1, options().MaxConcurrentRequestsPerServer);

    public Window For(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return _windows.GetOrAdd(server.Authority, _ => new Window(() => Math.Max(1, options().MaxConcurrentRequestsPerServer)));
    }

    /// <summary>One server's congestion window: a semaphore whose size moves with the server's answers.</summary>
    public sealed class Window(Func<int> max)
    {
        private readonly object _gate = new();
        private readonly Queue<TaskCompletionSource> _waiting = new();
        private double _size = max();
        private int _inFlight;

        public double Size
        {
            get
            {
                lock (_gate)
                {
                    return _size;
                }
            }
        }

        public async Task EnterAsync(CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (_gate)
            {
                if (_inFlight < Math.Max(1, (int)_size))
                {
                    _inFlight++;
                    return;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(waiter);
            }

            await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
            {
                await waiter.Task;
            }
        }

        /// <summary>Leaves the window; <paramref name="overloaded"/> (429/503) halves it, anything else widens it.</summary>
        public void Leave(bool overloaded)
        {
            lock (_gate)
            {
                _inFlight--;
                _size = overloaded ? Math.Max(1, _size / 2) : Math.Min(max(), _size + (1 / _size));
                while (_inFlight < Math.Max(1, (int)_size) && _waiting.TryDequeue(out var next))
                {
                    if (next.TrySetResult())
                    {
                        _inFlight++;
                    }
                }
            }
        }
    }
}

/// <summary>Holds a place in the server's window for each attempt (under the resilience pipeline, so a retry's wait
/// holds none).</summary>
public sealed class ServerConcurrencyHandler(ServerConcurrency concurrency) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var window = concurrency.For(request.RequestUri!);
        await window.EnterAsync(cancellationToken);
        var overloaded = false;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            overloaded = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;
            return response;
        }
        finally
        {
            window.Leave(overloaded);
        }
    }
}
