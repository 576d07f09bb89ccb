using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Paliad.Api.Auth;
using Paliad.Api.Protection;
using Paliad.Application.Feeds;
using Paliad.Application.Feeds.CreateFeed;
using Paliad.Application.Feeds.DeleteFeed;
using Paliad.Application.Feeds.GetFeed;
using Paliad.Application.Feeds.ListFeeds;
using Paliad.Application.Feeds.ReadFeed;
using Paliad.Application.Feeds.RotateFeed;
using Paliad.Application.Feeds.UpdateFeed;

namespace Paliad.Api.Endpoints;

/// <summary>Read-only subscription feeds (DESIGN §12): managed under /api/calendar-feeds, fetched at
/// /feeds/{id}/{secret}.ics by calendar clients that speak no CalDAV.</summary>
internal static class FeedsEndpoints
{
    public sealed record CreateFeedBody(string? DisplayName, string? Scope, Guid? ScopeId);

    public static RouteGroupBuilder MapFeedsEndpoints(this RouteGroupBuilder api)
    {
        var feeds = api.MapGroup("/calendar-feeds").WithTags("Calendar feeds");

        feeds.MapGet("/", async Task<IReadOnlyList<FeedDto>> (ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new ListFeeds(user.UserId()), ct))
            .WithSummary("Your feeds, newest first (their secret URLs are shown only when made or rotated).");

        feeds.MapPost("/", async Task<Created<FeedDto>> (CreateFeedBody body, ClaimsPrincipal user, HttpRequest request, IConfiguration configuration, ISender sender, CancellationToken ct) =>
            {
                var feed = await sender.Send(new CreateFeed(user.UserId(), body.DisplayName, body.Scope, body.ScopeId, BaseUrl(request, configuration)), ct);
                return TypedResults.Created($"/api/calendar-feeds/{feed.Id}", feed);
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .Idempotent()
            .WithSummary("A read-only iCalendar feed of a scope at a secret URL (in the answer, this once).");

        feeds.MapGet("/{id:guid}", async Task<FeedDto> (Guid id, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetFeed(user.UserId(), id), ct))
            .ConditionalRead()
            .WithSummary("One of your feeds.");

        feeds.MapPatch("/{id:guid}", async Task<FeedDto> (
                Guid id, JsonObject body, ClaimsPrincipal user, HttpRequest request, ISender sender, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                var patch = new PatchBody(body, json.Value.SerializerOptions);
                var command = new UpdateFeed(
                    user.UserId(), id, patch.Field<string?>("displayName"), patch.Field<string?>("scope"), patch.Field<Guid?>("scopeId"), request.IfMatch());
                patch.ThrowIfInvalid();
                return await sender.Send(command, ct);
            })
            .Accepts<JsonElement>("application/json")
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Rename the feed or change its scope; its URL stays.");

        feeds.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteFeed(user.UserId(), id, request.IfMatch()), ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Delete the feed: its URL answers 404 from now on.");

        feeds.MapPost("/{id:guid}/rotate", async Task<FeedDto> (Guid id, ClaimsPrincipal user, HttpRequest request, IConfiguration configuration, ISender sender, CancellationToken ct)
                => await sender.Send(new RotateFeed(user.UserId(), id, BaseUrl(request, configuration)), ct))
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .WithSummary("A new secret URL (in the answer, this once); the old one answers 404 from now on.");
        return api;
    }

    /// <summary>GET /feeds/{id}/{secret}.ics: no bearer — the URL is the credential.</summary>
    public static IEndpointRouteBuilder MapFeedFetch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/{id:guid}/{secret}.ics", async Task (Guid id, string secret, HttpContext http, FeedFetchLimits limits, ISender sender, CancellationToken ct) =>
            {
                var request = http.Request;
                var answer = await sender.Send(new ReadFeed(
                    id, secret, request.Headers.IfNoneMatch.ToString() is { Length: > 0 } tags ? tags : null, request.GetTypedHeaders().IfModifiedSince), ct);
                var response = http.Response;
                switch (answer.Kind)
                {
                    case FeedAnswerKind.NotFound when !limits.TryRecordMiss(http.Connection.RemoteIpAddress, out var cooling):
                        await TooManyAsync(http, "Too many feed addresses from here were wrong; try again after the time in Retry-After.", cooling);
                        return;
                    case FeedAnswerKind.NotFound:
                        response.StatusCode = StatusCodes.Status404NotFound;
                        return;
                    case FeedAnswerKind.TooManyFetches:
                        await TooManyAsync(http, "This feed is fetched more often than calendar clients do; try again after the time in Retry-After.", answer.RetryAfter);
                        return;
                    case FeedAnswerKind.NotModified:
                        response.Headers.ETag = answer.ETag;
                        response.GetTypedHeaders().LastModified = answer.LastModified;
                        response.StatusCode = StatusCodes.Status304NotModified;
                        return;
                    default:
                        response.Headers.ETag = answer.ETag;
                        response.GetTypedHeaders().LastModified = answer.LastModified;
                        response.GetTypedHeaders().CacheControl = new Microsoft.Net.Http.Headers.CacheControlHeaderValue { Private = true, NoCache = true };
                        response.ContentType = "text/calendar; charset=utf-8";
                        await response.WriteAsync(answer.Calendar!, ct);
                        return;
                }
            })
            .AllowAnonymous()
            .WithTags("Calendar feeds")
            .WithSummary("The feed as iCalendar (text/calendar), for subscribing; ETag and If-None-Match → 304; a wrong or revoked secret is 404; too many fetches of one feed, or too many wrong URLs from one address, are 429 with Retry-After.");
        return app;
    }

    private static Task TooManyAsync(HttpContext http, string detail, TimeSpan? retryAfter)
        => ApiProtection.WriteProblemAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests.", detail, retryAfter ?? TimeSpan.FromSeconds(1));

    private static Uri BaseUrl(HttpRequest request, IConfiguration configuration) => new($"{PublicOrigin.Of(request, configuration)}/");
}
