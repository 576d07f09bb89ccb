using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Paliad.Api.Auth;
using Paliad.Api.Protection;
using Paliad.Application.Projects;
using Paliad.Application.Projects.CreateProject;
using Paliad.Application.Projects.GetProject;
using Paliad.Application.Projects.ListProjects;
using Paliad.Application.Projects.ShareProject;
using Paliad.Application.Projects.UnshareProject;

namespace Paliad.Api.Endpoints;

internal static class ProjectsEndpoints
{
    public sealed record CreateProjectBody(string? Name, string? Kind, Guid? ParentId);

    public sealed record ShareProjectBody(Guid? UserId, string? Role);

    public static RouteGroupBuilder MapProjectsEndpoints(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");

        projects.MapGet("/", async Task<IReadOnlyList<ProjectDto>> (int? limit, string? after, HttpContext http, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => (await sender.Send(new ListProjects(user.UserId(), limit, after), ct)).WithNextLink(http))
            .WithSummary("Every project you see (directly or through an ancestor), in tree order; at most limit (default 500, max 2000), Link rel=next for more.");

        projects.MapPost("/", async Task<Created<ProjectDto>> (CreateProjectBody body, ClaimsPrincipal user, ISender sender, CancellationToken ct) =>
            {
                var project = await sender.Send(new CreateProject(user.UserId(), body.Name, body.Kind, body.ParentId), ct);
                return TypedResults.Created($"/api/projects/{project.Id}", project);
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .Idempotent()
            .WithSummary("Create a client (no parent) or a litigation/patent/case below a project you may edit; you become its owner.");

        projects.MapGet("/{id:guid}", async Task<ProjectDto> (Guid id, ClaimsPrincipal user, ISender sender, CancellationToken ct)
                => await sender.Send(new GetProject(user.UserId(), id), ct))
            .ConditionalRead()
            .WithSummary("One project you see.");

        projects.MapPost("/{id:guid}/members",
                async Task<Results<Created<ProjectMemberDto>, Ok<ProjectMemberDto>>> (Guid id, ShareProjectBody body, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
                {
                    var shared = await sender.Send(new ShareProject(user.UserId(), id, body.UserId, body.Role, request.IfMatch()), ct);
                    return shared.Added
                        ? TypedResults.Created($"/api/projects/{id}/members/{shared.Member.UserId}", shared.Member)
                        : TypedResults.Ok(shared.Member);
                })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .Idempotent()
            .WithSummary("Share the project with a user (201), or change their role (200). Owners and editors may share.");

        projects.MapDelete("/{id:guid}/members/{userId:guid}", async Task<NoContent> (Guid id, Guid userId, ClaimsPrincipal user, HttpRequest request, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new UnshareProject(user.UserId(), id, userId, request.IfMatch()), ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(ApiProtection.WritePolicy)
            .ConditionalWrite()
            .WithSummary("Unshare the project with a user (owners and editors; anyone may leave). The last owner stays.");
        return api;
    }
}
