using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Paliad.Application.Common;

namespace Paliad.Api.Endpoints;

/// <summary>List endpoints answer a plain JSON array; when more rows exist, a <c>Link: &lt;…&gt;; rel="next"</c> header
/// (RFC 8288) names the same request continuing after this page.</summary>
internal static class PagedResults
{
    /// <param name="cursorParameter">The query parameter the list continues with (<c>after</c>, or <c>before</c> for a
    /// feed that pages back in time).</param>
    public static IReadOnlyList<T> WithNextLink<T>(this Page<T> page, HttpContext http, string cursorParameter = "after")
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(http);
        if (page.Next is not null)
        {
            var request = http.Request;
            var query = QueryHelpers.ParseQuery(request.QueryString.Value)
                .Where(pair => !string.Equals(pair.Key, cursorParameter, StringComparison.OrdinalIgnoreCase))
                .SelectMany(pair => pair.Value.Select(value => new KeyValuePair<string, string?>(pair.Key, value)))
                .Append(new KeyValuePair<string, string?>(cursorParameter, page.Next));
            var next = UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, QueryString.Create(query));
            http.Response.Headers.Append("Link", $"<{next}>; rel=\"next\"");
        }

        return page.Items;
    }
}
