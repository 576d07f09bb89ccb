using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Paliad.Api.Auth;
using Paliad.Api.Json;
using Paliad.Api.Protection;
using Paliad.Application.Appointments;
using Paliad.Application.Appointments.CountAppointments;
using Paliad.Application.Appointments.CreateAppointment;
using Paliad.Application.Appointments.DeleteAppointment;
using Paliad.Application.Appointments.GetAppointment;
using Paliad.Application.Appointments.ListAppointments;
using Paliad.Application.Appointments.UpdateAppointment;

namespace Paliad.Api.Endpoints;

internal static class AppointmentsEndpoints
{
    public sealed record CreateAppointmentBody(
        string? Title,
        string? Description,
        string? Location,
        DateTimeOffset? StartsAt,
        DateTimeOffset? EndsAt,
        bool? AllDay,
        string? TimeZone,
        Guid? ProjectId);

    /// <summary>?from= and ?to= follow the body's rule: an offset is required (a "+" must be sent as %2B).</summary>
    private static DateTimeOffset? QueryTime(string? text, string field)
        => string.IsNullOrEmpty(text) ? null
            : IsoTimes.TryParse(text, out var value) ? value
            : throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure(field, IsoTimes.Expectation)]);

    public static RouteGroupBuilder MapAppointmentsEndpoints(this RouteGroupBuilder api)
    {
        var appointments = api.MapGroup("/appointments").WithTags("Appointments");

        appointments.MapGet("/", async Task<IReadOnlyList<AppointmentDto>> (
                    string? from, string? to, int? limit, string? after, HttpContext http, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => (await sender.Send(new ListAppointments(user.UserId(), QueryTime(from, nameof(from)), QueryTime(to, nameof(to)), limit, after), ct))
                    .WithNextLink(http))
            .WithSummary("Appointments you see that overlap [from, to), by start time; at most limit (default 500, max 2000), Link rel=next for more.");

        appointments.MapGet("/count", async Task<AppointmentCountDto> (string? scope, Guid? scopeId, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new CountAppointments(user.UserId(), scope, scopeId), ct))
            .WithSummary("How many appointments a binding or feed of this scope would carry, and how many of them start in the next 30 days.");

        appointments.MapPost("/", async Task<Created<AppointmentDto>> (CreateAppointmentBody body, ClaimsPrincipal user, ISender sender, CancellationToken ct) =>
            {
                var appointment = await sender.Send(
                    new CreateAppointment(user.UserId(), body.Title, body.Description, body.Location, body.StartsAt, body.EndsAt, body.AllDay, body.TimeZone, body.ProjectId),
                    ct);
                return TypedResults.Created($"/api/appointments/{appointment.Id}", appointment);
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .Idempotent()
            .WithSummary("Create a personal appointment, or one in a project you may edit.");

        appointments.MapGet("/{id:guid}", async Task<AppointmentDto> (Guid id, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetAppointment(user.UserId(), id), ct))
            .ConditionalRead()
            .WithSummary("One appointment you see.");

        appointments.MapPatch("/{id:guid}", async Task<AppointmentDto> (
                Guid id, JsonObject body, ClaimsPrincipal user, HttpRequest request, ISender sender, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                var patch = new PatchBody(body, json.Value.SerializerOptions);
                var command = new UpdateAppointment(
                    user.UserId(),
                    id,
                    patch.Field<string?>("title"),
                    patch.Field<string?>("description"),
                    patch.Field<string?>("location"),
                    patch.Field<DateTimeOffset?>("startsAt"),
                    patch.Field<DateTimeOffset?>("endsAt"),
                    patch.Field<bool?>("allDay"),
                    patch.Field<string?>("timeZone"),
                    patch.Field<Guid?>("projectId"),
                    request.IfMatch());
                patch.ThrowIfInvalid();
                return await sender.Send(command, ct);
            })
            .Accepts<JsonElement>("application/json")
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Change any of title, description, location, startsAt, endsAt, allDay, timeZone, projectId.");

        appointments.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new DeleteAppointment(user.UserId(), id, request.IfMatch()), ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Delete an appointment; its events leave every calendar.");
        return api;
    }
}
