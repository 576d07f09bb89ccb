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
/// differ) → 422; while the first still runs → 409. Only a success (2xx) is kept: a failed request changed nothing,
/// so its key is let go and a retry runs again (and may succeed: a 412 re-read, a 429 waited out, a 400 corrected…).
/// </summary>
internal static partial class Idempotency
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
            if (values.Count != 1 || !IsValidKey(key))
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
                case IdempotencyClaimKind.AnswerUnreadable:
                    await ApiProtection.WriteProblemAsync(http, StatusCodes.Status409Conflict, "Answer no longer readable.",
                        "The first request with this Idempotency-Key succeeded, but its answer can no longer be read: check what it created (GET) before using a new key.",
                        retryAfter: null);
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
        try
        {
            await next(http);
        }
        catch
        {
            // A failure the exception handler answers further out: it changed nothing, a retry runs again.
            http.Response.Body = original;
            await ReleaseQuietlyAsync(http, store, userId, key);
            throw;
        }

        http.Response.Body = original;
        var status = http.Response.StatusCode;
        if (status is >= 200 and < 300)
        {
            var headers = http.Response.Headers;
            try
            {
                await store.KeepAsync(
                    userId, key,
                    new KeptAnswer(status, http.Response.ContentType, headers.Location.ToString() is { Length: > 0 } location ? location : null,
                        headers.ETag.ToString() is { Length: > 0 } etag ? etag : null, captured.ToArray()),
                    CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The creation is committed: the key must not be let go (a retry would create it again). It stays
                // "running" — a retry gets 409 — until it expires.
                LogNotKept(Logger(http), e, key);
            }
        }
        else
        {
            await ReleaseQuietlyAsync(http, store, userId, key);
        }

        captured.Position = 0;
        await captured.CopyToAsync(original, http.RequestAborted);
    }

    private static async Task ReleaseQuietlyAsync(HttpContext http, IIdempotencyStore store, Guid userId, string key)
    {
        try
        {
            await store.ReleaseAsync(userId, key, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not let go: the key answers 409 until it expires; the request's own outcome is what the client sees.
            LogNotReleased(Logger(http), e, key);
        }
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Paliad.Api.Idempotency");

    [LoggerMessage(Level = LogLevel.Error, Message = "The answer to a request with Idempotency-Key {Key} could not be kept; the key answers 409 until it expires")]
    private static partial void LogNotKept(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idempotency-Key {Key} of a failed request could not be let go; it answers 409 until it expires")]
    private static partial void LogNotReleased(ILogger logger, Exception exception, string key);

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
