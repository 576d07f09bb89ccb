using System.Collections.Concurrent;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>One injected fault, used by the next request whose method matches.</summary>
public abstract record Fault(string? Method)
{
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
    private readonly List<string> _requests = [];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private int _faultsServed;

    private FaultProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.All }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Url { get; private set; } = null!;

    public int FaultsServed => _faultsServed;

    public int FaultsPending => _faults.Count;

    /// <summary>While true the server looks down: every connection is dropped.</summary>
    public bool Down { get; set; }

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
            _faults.Enqueue(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
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

        var fault = TakeFault(context.Request.Method);
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

    private Fault? TakeFault(string method)
    {
        lock (_faults)
        {
            if (_faults.TryPeek(out var next) && (next.Method is null || string.Equals(next.Method, method, StringComparison.OrdinalIgnoreCase)))
            {
                _faults.TryDequeue(out _);
                Interlocked.Increment(ref _faultsServed);
                return next;
            }
        }

        return null;
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path + request.QueryString));
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        if (buffer.Length > 0 || request.ContentLength is not null)
        {
            message.Content = new ByteArrayContent(buffer.ToArray());
        }

        foreach (var header in request.Headers.Where(h => !HopByHop.Contains(h.Key)))
        {
            if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        return await _upstream.SendAsync(message);
    }
}
