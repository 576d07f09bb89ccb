using System.Security.Cryptography;
using System.Text;
using Paliad.Api.Auth;
using Paliad.Application.Common;

namespace Paliad.Api.Protection;

/// <summary>Marks a creating POST that takes an <c>Idempotency-Key</c>.</summary>
internal sealed class IdempotentMetadata;

/// <summary>
/// The <c>Idempotency-Key</c> header (IETF draft) on creating POSTs: the first request with a key runs and its answer
/// is kept per (user, key) for <c>Api:IdempotencyHours</c>; a retry gets the same status and body without anything
/// being done again (<c>Idempotent-Replayed: true</c>); the key with another request (method, path, query or body
/// differ) → 422; while the first still runs → 409. Answers a retry should not see repeated — a 5xx, a 429, a 409 of
/// the moment — are not kept: the key is let go and a retry runs again.
/// </summary>
internal static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static TBuilder Idempotent<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new IdempotentMetadata());

    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app)
        => app.Use(async (http, next) =>
        {
            if (!HttpMethods.IsPost(http.Request.Method)
                || http.GetEndpoint()?.Metadata.GetMetadata<IdempotentMetadata>() is null
                || !http.Request.Headers.TryGetValue(Header, out var values)
                || !http.User.TryUserId(out var userId))
            {
                await next(http);
                return;
            }

            var key = values.ToString();
            if (!IsValidKey(key))
            {
                await WriteInvalidKeyAsync(http);
                return;
            }

            var store = http.RequestServices.GetRequiredService<IIdempotencyStore>();
            var claim = await store.ClaimAsync(userId, key, await FingerprintAsync(http.Request), http.RequestAborted);
            switch (claim.Kind)
            {
                case IdempotencyClaimKind.Replay:
                    await ReplayAsync(http, claim.Answer!);
                    return;
                case IdempotencyClaimKind.Mismatch:
                    await ApiProtection.WriteProblemAsync(http, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused.",
                        "This Idempotency-Key was used for another request (another body, path or method); use a new key for a new request.", retryAfter: null);
                    return;
                case IdempotencyClaimKind.InProgress:
                    await ApiProtection.WriteProblemAsync(http, StatusCodes.Status409Conflict, "Request in progress.",
                        "The first request with this Idempotency-Key has not finished yet; repeat this one after the time in Retry-After to get its answer.",
                        TimeSpan.FromSeconds(1));
                    return;
                default:
                    await RunAndKeepAsync(http, next, store, userId, key);
                    return;
            }
        });

    /// <summary>Visible ASCII, 1–255 characters (a UUID is the usual choice).</summary>
    private static bool IsValidKey(string key) => key.Length is > 0 and <= 255 && key.All(c => c is >= '!' and <= '~');

    private static Task WriteInvalidKeyAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ValidationProblemDetails(new Dictionary<string, string[]>
            {
                [Header] = ["An Idempotency-Key is 1 to 255 visible ASCII characters, one per request (a UUID, say)."],
            })
            { Status = StatusCodes.Status400BadRequest, Title = "One or more validation errors occurred." },
        }).AsTask();
    }

    /// <summary>SHA-256 of the method, path, query and body: what makes two requests "the same request".</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task RunAndKeepAsync(HttpContext http, RequestDelegate next, IIdempotencyStore store, Guid userId, string key)
    {
        var original = http.Response.Body;
        await using var captured = new MemoryStream();
        http.Response.Body = captured;
        var kept = false;
        try
        {
            await next(http);
            var status = http.Response.StatusCode;
            if (status < 500 && status is not (StatusCodes.Status409Conflict or StatusCodes.Status429TooManyRequests))
            {
                var headers = http.Response.Headers;
                await store.KeepAsync(
                    userId, key,
                    new KeptAnswer(status, http.Response.ContentType, headers.Location.ToString() is { Length: > 0 } location ? location : null,
                        headers.ETag.ToString() is { Length: > 0 } etag ? etag : null, captured.ToArray()),
                    CancellationToken.None);
                kept = true;
            }
        }
        finally
        {
            http.Response.Body = original;
            if (!kept)
            {
                // A failure (also one thrown, which the exception handler answers further out): a retry runs again.
                await store.ReleaseAsync(userId, key, CancellationToken.None);
            }
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, http.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext http, KeptAnswer answer)
    {
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = answer.ContentType;
        if (answer.Location is { } location)
        {
            http.Response.Headers.Location = location;
        }

        if (answer.ETag is { } etag)
        {
            http.Response.Headers.ETag = etag;
        }

        http.Response.Headers[ReplayedHeader] = "true";
        await http.Response.Body.WriteAsync(answer.Body, http.RequestAborted);
    }
}
