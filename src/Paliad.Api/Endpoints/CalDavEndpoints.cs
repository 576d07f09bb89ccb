using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Paliad.Api.Auth;
using Paliad.Api.Protection;
using Paliad.Application.CalDav.Activity;
using Paliad.Application.CalDav.Activity.ListActivity;
using Paliad.Application.CalDav.Bindings;
using Paliad.Application.CalDav.Bindings.CreateBinding;
using Paliad.Application.CalDav.Bindings.DecideHeldChanges;
using Paliad.Application.CalDav.Bindings.DeleteBinding;
using Paliad.Application.CalDav.Bindings.GetBinding;
using Paliad.Application.CalDav.Bindings.ListBindings;
using Paliad.Application.CalDav.Bindings.ListScopes;
using Paliad.Application.CalDav.Bindings.UpdateBinding;
using Paliad.Application.CalDav.Calendars;
using Paliad.Application.CalDav.Calendars.ListCalDavCalendars;
using Paliad.Application.CalDav.Config;
using Paliad.Application.CalDav.Config.DeleteCalDavConfig;
using Paliad.Application.CalDav.Config.GetCalDavConfig;
using Paliad.Application.CalDav.Config.SaveCalDavConfig;
using Paliad.Application.CalDav.Sync;
using Paliad.Application.CalDav.Sync.SyncNow;
using Paliad.Application.CalDav.SyncLog;
using Paliad.Application.CalDav.SyncLog.ListSyncLog;

namespace Paliad.Api.Endpoints;

internal static class CalDavEndpoints
{
    public sealed record SaveCalDavConfigBody(
        string? ServerUrl,
        string? Username,
        string? Password,
        string? CalendarPath,
        bool? SyncEnabled,
        int? SyncIntervalMinutes);

    public sealed record CreateBindingBody(string? CalendarPath, string? DisplayName, string? Scope, Guid? ScopeId, bool? Enabled);

    public sealed record HeldChangesBody(string? Action);

    public static RouteGroupBuilder MapCalDavEndpoints(this RouteGroupBuilder api)
    {
        var config = api.MapGroup("/caldav-config").WithTags("CalDAV account");

        config.MapGet("/", async Task<CalDavConfigDto> (ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetCalDavConfig(user.UserId()), ct))
            .ConditionalRead()
            .WithSummary("Your CalDAV account and its aggregate sync status (never the password).");

        config.MapPut("/", async Task<CalDavConfigDto> (SaveCalDavConfigBody body, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct)
                => await sender.Send(
                    new SaveCalDavConfig(
                        user.UserId(), body.ServerUrl, body.Username, body.Password, body.CalendarPath, body.SyncEnabled, body.SyncIntervalMinutes, request.IfMatch()),
                    ct))
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Configure your CalDAV account. The first save binds its calendarPath to everything you see (all_visible).");

        config.MapDelete("/", async Task<NoContent> (ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteCalDavConfig(user.UserId(), request.IfMatch()), ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Remove the account, its bindings and targets. Events already in your calendars stay.");

        api.MapGet("/caldav-calendars", async Task<IReadOnlyList<CalDavCalendarDto>> (ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new ListCalDavCalendars(user.UserId()), ct))
            .WithTags("CalDAV account")
            .RequireRateLimiting(ApiProtection.RemotePolicy)
            .WithSummary("The calendars on your configured CalDAV server (href, displayName, color, supportsEvents).");

        var bindings = api.MapGroup("/caldav-bindings").WithTags("Calendar bindings");
        api.MapGet("/caldav-scopes", async Task<IReadOnlyList<BindingScopeDto>> (ISender sender, CancellationToken ct) => await sender.Send(new ListBindingScopes(), ct))
            .WithTags("Calendar bindings")
            .WithSummary("The scopes a binding may have and the project kinds each may name (none, any, or one).");

        bindings.MapGet("/", async Task<IReadOnlyList<BindingDto>> (int? limit, string? after, HttpContext http, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => (await sender.Send(new ListBindingsForUser(user.UserId(), limit, after), ct)).WithNextLink(http))
            .WithSummary("Your calendar bindings, oldest first; at most limit (default 500, max 2000), Link rel=next for more.");

        bindings.MapPost("/", async Task<Created<BindingDto>> (CreateBindingBody body, ClaimsPrincipal user, ISender sender, CancellationToken ct) =>
            {
                var binding = await sender.Send(
                    new CreateBinding(user.UserId(), body.CalendarPath, body.DisplayName, body.Scope, body.ScopeId, body.Enabled), ct);
                return TypedResults.Created($"/api/caldav-bindings/{binding.Id}", binding);
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .Idempotent()
            .WithSummary("Bind a calendar to a scope: all_visible, personal_only, project, client, litigation, patent or case (the last five need scopeId).");

        bindings.MapGet("/{id:guid}", async Task<BindingDto> (Guid id, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetBinding(user.UserId(), id), ct))
            .ConditionalRead()
            .WithSummary("One of your bindings.");

        bindings.MapPatch("/{id:guid}", async Task<BindingDto> (
                Guid id, JsonObject body, ClaimsPrincipal user, HttpRequest request, ISender sender, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                var patch = new PatchBody(body, json.Value.SerializerOptions);
                var command = new UpdateBinding(
                    user.UserId(),
                    id,
                    patch.Field<string?>("calendarPath"),
                    patch.Field<string?>("displayName"),
                    patch.Field<string?>("scope"),
                    patch.Field<Guid?>("scopeId"),
                    patch.Field<bool?>("enabled"),
                    request.IfMatch());
                patch.ThrowIfInvalid();
                return await sender.Send(command, ct);
            })
            .Accepts<JsonElement>("application/json")
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Change any of calendarPath, displayName, scope, scopeId, enabled.");

        bindings.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, bool? keepRemoteEvents, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteBinding(user.UserId(), id, keepRemoteEvents ?? false, request.IfMatch()), ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Delete a binding; the app's events leave that calendar unless keepRemoteEvents=true.");

        bindings.MapPost("/{id:guid}/held-changes", async Task<BindingDto> (Guid id, HeldChangesBody body, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new DecideHeldChanges(user.UserId(), id, body.Action), ct))
            .RequireRateLimiting(ApiProtection.RemotePolicy)
            .WithSummary("Decide about a calendar's held mass change: {\"action\": \"apply\"} takes the edits, \"revert\" writes Paliad's version back; "
                         + "carried out by a sync of the binding now. 409 when nothing is held.");

        api.MapPost("/caldav-sync", async Task<IReadOnlyList<BindingSyncResultDto>> (Guid? bindingId, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new SyncNow(user.UserId(), bindingId), ct))
            .WithTags("Sync")
            .RequireRateLimiting(ApiProtection.RemotePolicy)
            .Idempotent()
            .WithSummary("Run a tick now for your enabled bindings (or ?bindingId=) and return what each did.");

        api.MapGet("/caldav-sync-log", async Task<IReadOnlyList<SyncLogEntryDto>> (
                    Guid? bindingId, int? limit, string? after, HttpContext http, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => (await sender.Send(new ListSyncLog(user.UserId(), bindingId, limit, after), ct)).WithNextLink(http))
            .WithTags("Sync")
            .WithSummary("Your sync log, newest first; bindingId narrows it to one binding; at most limit (default 500, max 2000), Link rel=next for more.");
        api.MapGet("/caldav-activity", async Task<IReadOnlyList<ActivityEntryDto>> (
                    int? limit, string? before, HttpContext http, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => (await sender.Send(new ListActivity(user.UserId(), limit, before), ct)).WithNextLink(http, "before"))
            .WithTags("Sync")
            .WithSummary("What sync did to your appointments that you should know (a calendar's edit applied or overwritten, a deletion or a series "
                + "reverted), newest first; before = an instant or the cursor of Link rel=next; at most limit (default 500, max 2000).");
        return api;
    }
}
