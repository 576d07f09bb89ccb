using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Paliad.Bench;

/// <summary>A forwarding proxy that adds a fixed delay to every request: a CalDAV server "on the internet" (tens of
/// milliseconds of round trip) made of a local Radicale. Serial clients pay the delay per request; concurrent ones
/// overlap it.</summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) });

    private LatencyProxy(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<LatencyProxy> StartAsync(Uri target, TimeSpan delay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new LatencyProxy(app);
        app.Run(context => proxy.ForwardAsync(context, target, delay));
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context, Uri target, TimeSpan delay)
    {
        await Task.Delay(delay);
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        HttpResponseMessage? answer = null;
        for (var attempt = 1; answer is null; attempt++)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, request.Path + request.QueryString));
            if (buffer.Length > 0)
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

            try
            {
                answer = await _upstream.SendAsync(message);
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                // A kept-alive connection the server closed meanwhile: the proxy is not what is measured.
            }
        }

        using var response = answer;
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
        {
            context.Response.Headers[header.Key] = header.Value.ToArray();
        }

        await context.Response.Body.WriteAsync(await response.Content.ReadAsByteArrayAsync());
    }
}
