using Paliad.Application.Common;

namespace Paliad.Api.Endpoints;

/// <summary>Marks a GET of one resource: answers <c>ETag</c>, and 304 to a matching <c>If-None-Match</c>.</summary>
internal sealed class ConditionalReadMetadata;

/// <summary>Marks a write that honours <c>If-Match</c> (412 when it does not match): PATCH/PUT/DELETE of a resource, and
/// sharing a project (its members are part of it).</summary>
internal sealed class ConditionalWriteMetadata;

/// <summary>Conditional requests (RFC 9110 §13) at the HTTP edge: the tags come from the representations
/// (<see cref="IHasETag"/>), the <c>If-Match</c> goes into the command, which checks it under a row lock.</summary>
internal static class Conditional
{
    /// <summary>The request's <c>If-Match</c>, for the command; null when it carried none.</summary>
    public static IfMatch? IfMatch(this HttpRequest request) => Paliad.Application.Common.IfMatch.From(request.Headers.IfMatch.ToString());

    public static TBuilder ConditionalRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ConditionalReadMetadata());

    public static TBuilder ConditionalWrite<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ConditionalWriteMetadata());

    /// <summary>Every answer that carries a tagged representation sends it as <c>ETag</c>; a GET whose
    /// <c>If-None-Match</c> names it (weak comparison, §13.1.2) answers 304 without a body; a failed <c>If-Match</c> is a
    /// 412 problem with the current tag in the body and as <c>ETag</c>.</summary>
    public static RouteGroupBuilder WithEntityTags(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            object? result;
            try
            {
                result = await next(context);
            }
            catch (PreconditionFailedException failed)
            {
                // Answered here rather than by the exception handler, which strips ETag from what it writes.
                if (failed.CurrentETag is { } current)
                {
                    context.HttpContext.Response.Headers.ETag = current;
                }

                return TypedResults.Problem(Errors.ProblemDetailsExceptionHandler.Map(failed)!);
            }

            var tagged = result as IHasETag ?? (result as IValueHttpResult)?.Value as IHasETag;
            if (tagged is null)
            {
                return result;
            }

            var http = context.HttpContext;
            http.Response.Headers.ETag = tagged.Etag;
            return HttpMethods.IsGet(http.Request.Method) && ETags.NoneMatch(http.Request.Headers.IfNoneMatch.ToString(), tagged.Etag)
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : result;
        });
        return group;
    }
}
