using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// How many requests may be in flight to one CalDAV server (by authority) from this process, across every binding
/// and user: at most CalDav:MaxConcurrentRequestsPerServer, lowered when the server says it is overloaded. AIMD, as
/// TCP does it: a 429 or 503 halves the server's window, so concurrency backs off at once and comes back slowly — it
/// never turns into a rate-limit storm. 500, 502 and 504 count as overload too: servers such as Radicale answer 500
/// when concurrent writes collide.
/// <para>Between overloads the window follows the answers' round trips, as TCP Vegas does: concurrency pays off
/// while the server works on requests side by side or the network's delay dominates, and only queues requests at a
/// server that serialises them (Radicale's PUTs take one collection lock). The requests waiting at the server are
/// estimated as <c>window × (1 − fastest round trip / smoothed round trip)</c>, per method (a PROPFIND of a large
/// calendar is not a slow PUT): fewer than <see cref="QueuedLow"/> widens the window by 1/window, more than
/// <see cref="QueuedHigh"/> narrows it by as much, in between it holds.</para>
/// </summary>
public sealed class ServerConcurrency(Func<CalDavOptions> options)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The current window of a server (for diagnostics and tests).</summary>
    public double WindowOf(string authority) => _windows.TryGetValue(authority, out var window) ? window.Size : Math.Max(1, options().MaxConcurrentRequestsPerServer);

    public Window For(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return For(server.Authority);
    }

    /// <summary>The window of a server (by authority) or, on a server every user shares, of one account there (its
    /// partition, <see cref="CalDavAccount.Partition"/>).</summary>
    public Window For(string key) => _windows.GetOrAdd(key, _ => new Window(() => Math.Max(1, options().MaxConcurrentRequestsPerServer)));

    /// <summary>Below this many requests estimated waiting at the server, the window widens.</summary>
    public const double QueuedLow = 0.5;

    /// <summary>Above this many requests estimated waiting at the server, the window narrows.</summary>
    public const double QueuedHigh = 1.0;

    /// <summary>One server's congestion window: a semaphore whose size moves with the server's answers.</summary>
    public sealed class Window(Func<int> max)
    {
        private readonly object _gate = new();
        private readonly Queue<TaskCompletionSource> _waiting = new();
        private readonly Dictionary<string, RoundTrips> _roundTrips = new(StringComparer.Ordinal);
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
        public void Leave(bool overloaded) => Leave(overloaded, null, TimeSpan.Zero);

        /// <summary>Leaves the window after an answer that took <paramref name="roundTrip"/> to a
        /// <paramref name="method"/> request: overload halves the window; otherwise it follows the round trips.</summary>
        public void Leave(bool overloaded, string? method, TimeSpan roundTrip)
        {
            lock (_gate)
            {
                _inFlight--;
                _size = overloaded ? Math.Max(1, _size / 2) : Math.Clamp(_size + Step(method, roundTrip), 1, max());
                while (_inFlight < Math.Max(1, (int)_size) && _waiting.TryDequeue(out var next))
                {
                    if (next.TrySetResult())
                    {
                        _inFlight++;
                    }
                }
            }
        }

        private double Step(string? method, TimeSpan roundTrip)
        {
            if (method is null || roundTrip <= TimeSpan.Zero)
            {
                return 1 / _size;
            }

            if (!_roundTrips.TryGetValue(method, out var roundTrips))
            {
                _roundTrips[method] = roundTrips = new RoundTrips();
            }

            var queued = _size * roundTrips.QueuedShare(roundTrip.TotalMilliseconds);
            return queued < QueuedLow ? 1 / _size : queued > QueuedHigh ? -1 / _size : 0;
        }
    }

    /// <summary>One method's round trips to one server: the fastest of the recent ones (what an answer costs without
    /// waiting, re-learnt every <see cref="Period"/> answers, since a growing calendar makes every answer slower) and
    /// a smoothed average (gain 1/8, as TCP's SRTT).</summary>
    private sealed class RoundTrips
    {
        private const int Period = 64;
        private double _fastest = double.MaxValue;
        private double _fastestThisPeriod = double.MaxValue;
        private double _smoothed;
        private int _answers;

        /// <summary>Records one round trip; returns the share of the smoothed round trip that is waiting (0…1).</summary>
        public double QueuedShare(double milliseconds)
        {
            _smoothed = _answers == 0 ? milliseconds : _smoothed + ((milliseconds - _smoothed) / 8);
            _fastestThisPeriod = Math.Min(_fastestThisPeriod, milliseconds);
            _fastest = Math.Min(_fastest, milliseconds);
            if (++_answers % Period == 0)
            {
                _fastest = _fastestThisPeriod;
                _fastestThisPeriod = double.MaxValue;
            }

            return Math.Max(0, 1 - (_fastest / _smoothed));
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
        var window = concurrency.For(CalDavHttp.PartitionOf(request));
        await window.EnterAsync(cancellationToken);
        var overloaded = false;
        var started = Stopwatch.GetTimestamp();
        var answered = TimeSpan.Zero;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            overloaded = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;
            answered = Stopwatch.GetElapsedTime(started);
            return response;
        }
        finally
        {
            // A request that failed without an answer (a dropped connection, a timeout) says nothing about the queue.
            window.Leave(overloaded, answered > TimeSpan.Zero ? request.Method.Method : null, answered);
        }
    }
}
