using Mediator;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Application.CalDav.Bindings.ListScopes;

/// <summary>A scope a binding may have, and which projects it may name: none (<see cref="NeedsProject"/> false), any
/// kind ("project"), or one kind (a hierarchy scope, which takes the project's descendants too).</summary>
public sealed record BindingScopeDto(string Scope, bool NeedsProject, IReadOnlyList<string> ProjectKinds, bool IncludesDescendants);

/// <summary>GET /api/caldav-scopes: the scope rule as data, so a client (the settings page) offers the right projects
/// for each scope instead of repeating the rule.</summary>
public sealed record ListBindingScopes : IQuery<IReadOnlyList<BindingScopeDto>>;

public sealed class ListBindingScopesHandler : IQueryHandler<ListBindingScopes, IReadOnlyList<BindingScopeDto>>
{
    private static readonly IReadOnlyList<BindingScopeDto> Scopes = Enum.GetValues<BindingScope>().Select(Describe).ToArray();

    public ValueTask<IReadOnlyList<BindingScopeDto>> Handle(ListBindingScopes query, CancellationToken cancellationToken) => ValueTask.FromResult(Scopes);

    private static BindingScopeDto Describe(BindingScope scope) => new(
        Words.Of(scope),
        scope.NamesProject(),
        !scope.NamesProject() ? [] : scope.RequiredProjectKind() is { } kind ? [Words.Of(kind)] : Words.All<ProjectKind>(),
        scope.IncludesDescendants());
}
