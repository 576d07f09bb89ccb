using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>A server a hostile user controls, on loopback: every request gets what <see cref="Answer"/> writes (answers
/// no real server can be made to send: bodies nested a million deep, thousands of stacked content codings, …).</summary>
public sealed class HostileCalDavServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HostileCalDavServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Writes the answer to one request.</summary>
    public Func<HttpContext, Task> Answer { get; set; } = context =>
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    };

    public static async Task<HostileCalDavServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxResponseBufferSize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new HostileCalDavServer(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref server._requests);
            await context.Request.Body.CopyToAsync(Stream.Null);
            try
            {
                await server.Answer(context);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // the client hung up on a hostile answer: that is the point
            }
        });
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First().TrimEnd('/') + "/dav/");
        return server;
    }

    /// <summary>A 207 with this body (bytes, as given) and these extra headers.</summary>
    public static Func<HttpContext, Task> MultiStatus(byte[] body, params (string Name, string Value)[] headers) => async context =>
    {
        context.Response.StatusCode = StatusCodes.Status207MultiStatus;
        context.Response.ContentType = "application/xml; charset=utf-8";
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
