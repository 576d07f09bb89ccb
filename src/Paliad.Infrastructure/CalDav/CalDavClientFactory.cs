using Microsoft.Extensions.Options;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Creates a <see cref="CalDavClient"/> for one account on the shared, resilient "caldav" HTTP client.</summary>
public sealed class CalDavClientFactory(IHttpClientFactory httpClientFactory, IOptions<CalDavOptions> options)
{
    public CalDavClient Create(CalDavAccount account) => new(httpClientFactory.CreateClient(CalDavHttp.ClientName), account, options.Value);

    public CalDavClient Create(string serverUrl, string username, string? password)
        => Create(new CalDavAccount(new Uri(serverUrl), username, password));
}
