using Microsoft.OpenApi;

namespace Paliad.Api.Endpoints;

/// <summary>A self-describing reference: a real title and description, the bearer scheme (so the reference UI can
/// send a token), and on every operation the error answers it can give (problem+json).</summary>
internal static class OpenApiSetup
{
    private const string Bearer = "Bearer";

    public static IServiceCollection AddPaliadOpenApi(this IServiceCollection services)
        => services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Paliad calendar sync API",
                    Version = "v1",
                    Description = "Paliad's calendar back end: appointments, projects and the CalDAV sync that keeps every lawyer's calendars in step "
                        + "through calendar bindings. Every /api route needs `Authorization: Bearer <JWT>` (HS256, `sub` = user id, `email` claim). "
                        + "Errors are RFC 9457 problem+json; lists are bounded by `limit` and continue through `Link: rel=\"next\"`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [Bearer] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "A Supabase-compatible access token (./paliad token <email> mints one for development).",
                    },
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var path = "/" + (context.Description.RelativePath ?? string.Empty);
                var method = context.Description.HttpMethod ?? "GET";
                operation.Responses ??= [];
                if (path.StartsWith("/api/", StringComparison.Ordinal))
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
                    Add(operation, "401", "No valid bearer token.");
                }

                if (operation.RequestBody is not null || operation.Parameters?.Count > 0)
                {
                    Add(operation, "400", "Bad input: problem+json with `errors: {field: [messages]}`.");
                }

                if (path.Contains('{', StringComparison.Ordinal) || path is "/api/caldav-config" or "/api/caldav-calendars")
                {
                    Add(operation, "404", "Not found, or someone else's.");
                }

                if (method is "POST" or "PUT" or "PATCH" or "DELETE" && path.StartsWith("/api/", StringComparison.Ordinal))
                {
                    Add(operation, "409", "Conflicts with the current state (a second binding on one calendar, a change made meanwhile).");
                }

                if (path is "/api/caldav-sync" or "/api/caldav-calendars" || path.EndsWith("/held-changes", StringComparison.Ordinal))
                {
                    Add(operation, "429", "Too many requests that reach the CalDAV server: see Retry-After.");
                }

                if (method is "POST" or "PUT" or "PATCH" or "DELETE" && path != "/api/caldav-sync" && !path.EndsWith("/held-changes", StringComparison.Ordinal)
                    && path.StartsWith("/api/", StringComparison.Ordinal))
                {
                    Add(operation, "429", "Too many changes by one person (Api:WritesPerMinute): see Retry-After.");
                }

                if (path is "/api/caldav-calendars")
                {
                    Add(operation, "502", "The CalDAV server failed; `reason` says how (unauthorized, unreachable, timeout, not_a_calendar_server, server_error).");
                }

                return Task.CompletedTask;
            });
        });

    private static void Add(OpenApiOperation operation, string status, string description)
        => operation.Responses!.TryAdd(status, new OpenApiResponse { Description = description });
}
