using System.Collections.Concurrent;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>One injected fault, used by the next request whose method matches — or, with <see cref="Always"/>, by
/// every such request (a hostile server rather than a hiccup).</summary>
public abstract record Fault(string? Method)
{
    /// <summary>Serve this fault to every matching request and never use it up.</summary>
    public bool Always { get; init; }

    /// <summary>Let this many matching requests through untouched before the fault applies.</summary>
    public int After { get; init; }

    /// <summary>Answer 207, send part of the body, then stall until the client gives up.</summary>
    public sealed record StallAfterHeaders(string? Method) : Fault(Method);

    /// <summary>Hold the request for <paramref name="Wait"/>, then forward it as usual (a slow but working server).</summary>
    public sealed record Delay(string? Method, TimeSpan Wait) : Fault(Method);

    /// <summary>Answer 207 and drip the body one byte per <paramref name="Interval"/>, forever.</summary>
    public sealed record SlowDrip(string? Method, TimeSpan Interval) : Fault(Method);

    /// <summary>Accept the request and never answer.</summary>
    public sealed record Blackhole(string? Method) : Fault(Method);

    /// <summary>Answer with this status and body (made per request, so it can change: fresh sync-tokens, say).</summary>
    public sealed record Respond(string? Method, int Code, Func<string> Body) : Fault(Method);

    /// <summary>Forward, then rewrite the answer's text (long ctags, hrefs on other origins, …).</summary>
    public sealed record Rewrite(string? Method, Func<string, string> Transform) : Fault(Method);

    /// <summary>A 207 with Content-Encoding: gzip that inflates to <paramref name="InflatedBytes"/> bytes of nothing.</summary>
    public sealed record GzipBomb(string? Method, int InflatedBytes) : Fault(Method);

    /// <summary>Answer with this status (and Retry-After, if given) instead of forwarding.</summary>
    public sealed record Status(string? Method, int Code, string? RetryAfter = null) : Fault(Method);

    /// <summary>Drop the connection without an answer.</summary>
    public sealed record Reset(string? Method) : Fault(Method);

    /// <summary>A 207 whose XML breaks off in the middle.</summary>
    public sealed record MalformedXml(string? Method) : Fault(Method);

    /// <summary>A 207 body of this many bytes, streamed without a Content-Length.</summary>
    public sealed record Oversized(string? Method, int Bytes) : Fault(Method);

    /// <summary>Forward, then remove the DAV:response for hrefs containing this text (a server silently leaving them out).</summary>
    public sealed record DropHref(string? Method, string HrefContains) : Fault(Method);

    /// <summary>Answer with a redirect to this absolute URL.</summary>
    public sealed record Redirect(string? Method, string Location) : Fault(Method);

    /// <summary>Forward the request (the server applies it), then drop the connection before the answer — and run
    /// <paramref name="Then"/>, e.g. to kill the caller mid-tick.</summary>
    public sealed record ForwardThenReset(string? Method, Action? Then = null) : Fault(Method);
}

/// <summary>
/// A small HTTP proxy in front of a real CalDAV server that injects the faults real servers produce now and then
/// (503 with Retry-After, 429, resets, truncated XML, huge answers, multigets that leave hrefs out).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Accept-Encoding", "Content-Encoding",
    };

    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly List<Fault> _standing = [];
    private readonly Dictionary<Fault, int> _passedThrough = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _requests = [];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly CancellationTokenSource _stopping = new();
    private int _faultsServed;

    private FaultProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        })
        { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; private set; } = null!;

    public int FaultsServed => _faultsServed;

    public int FaultsPending => _faults.Count;

    /// <summary>While true the server looks down: every connection is dropped.</summary>
    public bool Down { get; set; }

    /// <summary>When set, the proxy guards the server as a provider's front end does: given the request's
    /// Authorization header it answers the header to send to the server, or null for a 401 (WWW-Authenticate: Bearer).</summary>
    public Func<string?, Task<string?>>? Gatekeeper { get; set; }

    /// <summary>"METHOD /path" of every request that reached the proxy.</summary>
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

    public void ResetRequests()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    public static async Task<FaultProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new FaultProxy(app, target);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    public void Inject(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            if (fault.Always)
            {
                lock (_faults)
                {
                    _standing.Add(fault);
                }
            }
            else
            {
                _faults.Enqueue(fault);
            }
        }
    }

    /// <summary>Forgets every pending (and every <see cref="Fault.Always"/>) fault: the server behaves again.</summary>
    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
            _standing.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        _upstream.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        lock (_requests)
        {
            _requests.Add($"{context.Request.Method} {context.Request.Path}");
        }

        if (Down)
        {
            context.Abort();
            return;
        }

        if (Gatekeeper is { } gatekeeper)
        {
            var admitted = await gatekeeper(context.Request.Headers.Authorization.FirstOrDefault());
            if (admitted is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                return;
            }

            context.Request.Headers.Authorization = admitted;
        }

        var fault = TakeFault(context.Request.Method);
        if (fault is Fault.Delay delay)
        {
            await Task.Delay(delay.Wait, _stopping.Token);
            fault = null;
        }

        switch (fault)
        {
            case Fault.Status status:
                context.Response.StatusCode = status.Code;
                if (status.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = status.RetryAfter;
                }

                return;
            case Fault.Reset:
                context.Abort();
                return;
            case Fault.MalformedXml:
                context.Response.StatusCode = 207;
                context.Response.ContentType = "application/xml; charset=utf-8";
                await context.Response.WriteAsync("<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\"><response><href>/paliad/");
                return;
            case Fault.Oversized oversized:
                context.Response.StatusCode = 207;
                context.Response.ContentType = "application/xml; charset=utf-8";
                var block = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                for (var written = 0; written < oversized.Bytes; written += block.Length)
                {
                    await context.Response.Body.WriteAsync(block);
                }

                return;
            case Fault.Redirect redirect:
                context.Response.StatusCode = 307;
                context.Response.Headers.Location = redirect.Location;
                return;
            case Fault.StallAfterHeaders:
                context.Response.StatusCode = 207;
                context.Response.ContentType = "application/xml; charset=utf-8";
                await context.Response.WriteAsync("<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\">");
                await context.Response.Body.FlushAsync();
                await WaitForeverAsync(context);
                return;
            case Fault.SlowDrip drip:
                context.Response.StatusCode = 207;
                context.Response.ContentType = "application/xml; charset=utf-8";
                await context.Response.WriteAsync("<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\">");
                while (!context.RequestAborted.IsCancellationRequested && !_stopping.IsCancellationRequested)
                {
                    try
                    {
                        await context.Response.Body.WriteAsync(" "u8.ToArray(), context.RequestAborted);
                        await context.Response.Body.FlushAsync(context.RequestAborted);
                        await Task.Delay(drip.Interval, _stopping.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or IOException)
                    {
                        return;
                    }
                }

                return;
            case Fault.Blackhole:
                await WaitForeverAsync(context);
                return;
            case Fault.Respond respond:
                context.Response.StatusCode = respond.Code;
                context.Response.ContentType = "application/xml; charset=utf-8";
                await context.Response.WriteAsync(respond.Body());
                return;
            case Fault.GzipBomb bomb:
                context.Response.StatusCode = 207;
                context.Response.ContentType = "application/xml; charset=utf-8";
                context.Response.Headers.ContentEncoding = "gzip";
                await context.Response.Body.WriteAsync(Bomb(bomb.InflatedBytes));
                return;
        }

        using var upstream = await ForwardAsync(context);
        if (fault is Fault.ForwardThenReset reset)
        {
            reset.Then?.Invoke();
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)upstream.StatusCode;
        foreach (var header in upstream.Headers.Concat(upstream.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
        {
            context.Response.Headers[header.Key] = header.Value.ToArray();
        }

        var body = await upstream.Content.ReadAsByteArrayAsync();
        if (fault is Fault.Rewrite rewrite)
        {
            body = Encoding.UTF8.GetBytes(rewrite.Transform(Encoding.UTF8.GetString(body)));
        }

        if (fault is Fault.DropHref drop)
        {
            var document = XDocument.Parse(Encoding.UTF8.GetString(body));
            XNamespace dav = "DAV:";
            document.Root!.Elements(dav + "response")
                .Where(r => ((string?)r.Element(dav + "href"))?.Contains(drop.HrefContains, StringComparison.Ordinal) == true)
                .Remove();
            body = Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting));
        }

        await context.Response.Body.WriteAsync(body);
    }

    /// <summary>Holds the request open until the client hangs up or the proxy stops.</summary>
    private async Task WaitForeverAsync(HttpContext context)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }

    private static readonly ConcurrentDictionary<int, byte[]> Bombs = new();

    /// <summary>gzip of <paramref name="inflated"/> zero bytes (about a thousandth of that on the wire).</summary>
    private static byte[] Bomb(int inflated) => Bombs.GetOrAdd(inflated, size =>
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var written = 0; written < size; written += zeros.Length)
            {
                gzip.Write(zeros, 0, Math.Min(zeros.Length, size - written));
            }
        }

        return packed.ToArray();
    });

    private Fault? TakeFault(string method)
    {
        bool Matches(Fault fault) => fault.Method is null || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase);
        lock (_faults)
        {
            // Standing faults (a hostile server) apply to every request of their method; one-shot faults are served
            // in order, each to the next request whose method matches the head of the queue.
            var standing = _standing.Find(Matches);
            var next = standing ?? (_faults.TryPeek(out var head) && Matches(head) ? head : null);
            if (next is not null)
            {
                var passed = _passedThrough.GetValueOrDefault(next);
                if (passed < next.After)
                {
                    _passedThrough[next] = passed + 1;
                    return null;
                }

                if (standing is null)
                {
                    _faults.TryDequeue(out _);
                }

                Interlocked.Increment(ref _faultsServed);
                return next;
            }
        }

        return null;
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.Length > 0 || request.ContentLength is not null ? buffer.ToArray() : null;

        // The proxy itself must not be a source of faults: a kept-alive upstream connection the server closed
        // meanwhile is retried on a fresh one (the request is buffered, so it is sent whole again).
        for (var attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path + request.QueryString));
            if (body is not null)
            {
                message.Content = new ByteArrayContent(body);
            }

            foreach (var header in request.Headers.Where(h => !HopByHop.Contains(h.Key)))
            {
                if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
                {
                    message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
                }
            }

            // As a reverse proxy does: a server that builds absolute URLs from Host (Cyrus' redirects) names the proxy.
            message.Headers.Host = request.Host.Value;

            try
            {
                return await _upstream.SendAsync(message);
            }
            catch (HttpRequestException) when (attempt < 3)
            {
            }
        }
    }
}
