using Mediator;

namespace Paliad.Application.CalDav.OAuth.ListOAuthProviders;

/// <summary>GET /api/caldav-oauth/providers: the providers a person may connect through.</summary>
public sealed record ListOAuthProviders : IQuery<IReadOnlyList<OAuthProviderDto>>;

public sealed record OAuthProviderDto(string Name, string DisplayName);

public sealed class ListOAuthProvidersHandler(IOAuthProviders providers) : IQueryHandler<ListOAuthProviders, IReadOnlyList<OAuthProviderDto>>
{
    public ValueTask<IReadOnlyList<OAuthProviderDto>> Handle(ListOAuthProviders query, CancellationToken cancellationToken)
        => ValueTask.FromResult<IReadOnlyList<OAuthProviderDto>>(providers.Configured.Select(p => new OAuthProviderDto(p.Name, p.DisplayName)).ToList());
}
