namespace Paliad.Infrastructure.CalDav;

/// <summary>Where a client gets the bearer token of an OAuth 2.0 account: the current one (refreshed first when it is
/// about to expire), or a new one after the server refused one.</summary>
public interface IAccessTokenSource
{
    /// <summary>The provider as the person knows it ("Google Calendar"), for what a failure says.</summary>
    string ProviderName { get; }

    ValueTask<string> CurrentAsync(CancellationToken cancellationToken);

    /// <summary>The server answered 401 to <paramref name="rejected"/>: a token that is not it (refreshed meanwhile, here
    /// or by another instance), or a freshly refreshed one.</summary>
    ValueTask<string> RenewAsync(string rejected, CancellationToken cancellationToken);
}
