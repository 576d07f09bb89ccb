using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;

namespace Paliad.Application.Projects.ListProjects;

/// <summary>Every project the caller sees, with the caller's effective role, ordered by path (tree order); a page of
/// at most <c>limit</c>, continuing <c>after</c> a cursor.</summary>
public sealed record ListProjects(Guid UserId, int? Limit = null, string? After = null) : IQuery<Page<ProjectDto>>;

public sealed class ListProjectsValidator : AbstractValidator<ListProjects>
{
    public ListProjectsValidator() => Paging.AddRules(this, q => q.Limit, q => q.After, instantKeyed: false);
}

public sealed class ListProjectsHandler(IPaliadDbContext db) : IQueryHandler<ListProjects, Page<ProjectDto>>
{
    public async ValueTask<Page<ProjectDto>> Handle(ListProjects query, CancellationToken cancellationToken)
    {
        var visible = db.VisibleProjects(query.UserId).AsNoTracking();
        if (PageCursor.TryDecode(query.After, out var cursor))
        {
#pragma warning disable CA1309 // translated to SQL >; the path column's collation is "C" (byte order), like the ORDER BY.
            visible = visible.Where(p => string.Compare(p.Path, cursor.Key) > 0);
#pragma warning restore CA1309
        }

        var limit = Paging.Take(query.Limit);
        var projects = await visible.OrderBy(p => p.Path).Take(limit + 1).ToListAsync(cancellationToken);
        var page = Paging.Cut(projects, limit, p => new PageCursor(p.Path, p.Id));
        var memberships = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.UserId == query.UserId)
            .Join(db.Projects, m => m.ProjectId, p => p.Id, (m, p) => new { p.Path, m.Role })
            .ToListAsync(cancellationToken);

        return page.Map(p => ProjectDto.From(p, memberships.Where(m => p.Path.StartsWith(m.Path, StringComparison.Ordinal)).Min(m => m.Role)));
    }
}
