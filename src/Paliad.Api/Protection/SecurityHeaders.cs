namespace Paliad.Api.Protection;

/// <summary>
/// Security headers on every response of the page and the API: a strict Content-Security-Policy (scripts and styles
/// only from Paliad itself, no inline script, no plugins, no &lt;base&gt;, never framed), nosniff, no referrer, and
/// HSTS outside Development. The optional API reference (<c>/scalar</c>, Api:PublishReference) is an inline-script page
/// of the reference library's own, so it gets everything but the CSP.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IWebHostEnvironment environment)
    {
        if (!environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (!context.Request.Path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase))
                {
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }

                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
