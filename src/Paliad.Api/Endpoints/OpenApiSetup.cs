using Microsoft.OpenApi;
using Paliad.Api.Protection;

namespace Paliad.Api.Endpoints;

/// <summary>A self-describing reference: a real title and description, the bearer scheme (so the reference UI can
/// send a token), and on every operation the error answers it can give (problem+json).</summary>
internal static partial class OpenApiSetup
{
    private const string Bearer = "Bearer";

    /// <summary>The tags' descriptions (a tag without one is a lint warning, and a generated client's empty page).</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Identity"] = "Who the bearer token says you are.",
        ["Projects"] = "Clients, litigations, patents and cases, and who they are shared with.",
        ["Appointments"] = "Hearings, deadlines and meetings: what the calendars show.",
        ["CalDAV account"] = "Your CalDAV account (password or OAuth 2.0) and its calendars.",
        ["Calendar bindings"] = "\"Push the appointments of scope S into calendar C\": the unit of sync.",
        ["Sync"] = "Running a sync now, and what sync did (log, activity).",
        ["Calendar feeds"] = "Read-only iCalendar feeds at secret URLs, for clients without CalDAV (Outlook).",
    };

    /// <summary>Every operation's id (a generated client's method names): explicit, so a new endpoint without one fails
    /// the lint in the tests.</summary>
    private static readonly Dictionary<string, string> OperationIds = new(StringComparer.Ordinal)
    {
        ["GET /api/me"] = "getMe",
        ["GET /api/projects"] = "listProjects",
        ["POST /api/projects"] = "createProject",
        ["GET /api/projects/{id}"] = "getProject",
        ["POST /api/projects/{id}/members"] = "shareProject",
        ["DELETE /api/projects/{id}/members/{userId}"] = "unshareProject",
        ["GET /api/appointments"] = "listAppointments",
        ["POST /api/appointments"] = "createAppointment",
        ["GET /api/appointments/count"] = "countAppointments",
        ["GET /api/appointments/{id}"] = "getAppointment",
        ["PATCH /api/appointments/{id}"] = "updateAppointment",
        ["DELETE /api/appointments/{id}"] = "deleteAppointment",
        ["GET /api/caldav-config"] = "getCalDavAccount",
        ["PUT /api/caldav-config"] = "saveCalDavAccount",
        ["DELETE /api/caldav-config"] = "deleteCalDavAccount",
        ["GET /api/caldav-calendars"] = "listCalDavCalendars",
        ["GET /api/caldav-scopes"] = "listBindingScopes",
        ["GET /api/caldav-bindings"] = "listBindings",
        ["POST /api/caldav-bindings"] = "createBinding",
        ["GET /api/caldav-bindings/{id}"] = "getBinding",
        ["PATCH /api/caldav-bindings/{id}"] = "updateBinding",
        ["DELETE /api/caldav-bindings/{id}"] = "deleteBinding",
        ["POST /api/caldav-bindings/{id}/held-changes"] = "decideHeldChanges",
        ["POST /api/caldav-sync"] = "syncNow",
        ["GET /api/caldav-sync-log"] = "listSyncLog",
        ["GET /api/caldav-activity"] = "listActivity",
        ["GET /api/caldav-oauth/providers"] = "listOAuthProviders",
        ["POST /api/caldav-oauth/{provider}/start"] = "startOAuthConnect",
        ["GET /api/caldav-oauth/{provider}/callback"] = "completeOAuthConnect",
        ["GET /api/calendar-feeds"] = "listFeeds",
        ["POST /api/calendar-feeds"] = "createFeed",
        ["GET /api/calendar-feeds/{id}"] = "getFeed",
        ["PATCH /api/calendar-feeds/{id}"] = "updateFeed",
        ["DELETE /api/calendar-feeds/{id}"] = "deleteFeed",
        ["POST /api/calendar-feeds/{id}/rotate"] = "rotateFeed",
        ["GET /feeds/{id}/{secret}.ics"] = "fetchFeed",
    };

    public static IServiceCollection AddPaliadOpenApi(this IServiceCollection services)
        => services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Paliad calendar sync API",
                    Version = "v1",
                    Description = "Paliad's calendar back end: appointments, projects and the CalDAV sync that keeps every lawyer's calendars in step "
                        + "through calendar bindings. Every /api route needs `Authorization: Bearer <JWT>` (HS256, `sub` = user id, `email` claim). "
                        + "Errors are RFC 9457 problem+json; lists are bounded by `limit` and continue through `Link: rel=\"next\"`. "
                        + "Safe updates: read a resource's `ETag`, send it back as `If-Match`; a 412 means it changed meanwhile (re-read, re-apply). "
                        + "Safe retries: send an `Idempotency-Key` with every creating POST; a retry gets the first answer.",
                    License = new OpenApiLicense { Name = "Proprietary: Paliad", Identifier = "LicenseRef-Paliad-Proprietary" },
                };

                // Paliad's public address when one is set (behind a proxy), else the address asked; no trailing slash
                // (paths start with one).
                if (context.ApplicationServices.GetRequiredService<IConfiguration>()[PublicOrigin.Key] is { Length: > 0 } publicBase)
                {
                    document.Servers = [new OpenApiServer { Url = publicBase }];
                }

                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
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
                // As the document spells it: no route constraints ({id:guid} → {id}), no trailing slash.
                var path = RouteConstraint().Replace("/" + (context.Description.RelativePath ?? string.Empty), "{${name}}");
                path = path.Length > 1 ? path.TrimEnd('/') : path;
                var method = context.Description.HttpMethod ?? "GET";
                operation.Responses ??= [];
                if (OperationIds.TryGetValue($"{method} {path}", out var operationId))
                {
                    operation.OperationId = operationId;
                }

                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var anonymous = metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
                if (path.StartsWith("/api/", StringComparison.Ordinal) && !anonymous)
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
                    Add(operation, "401", "No valid bearer token.");
                }
                else
                {
                    // Anonymous on purpose: the provider's redirect carries no bearer, a feed URL is its own credential.
                    operation.Security = [new OpenApiSecurityRequirement()];
                }

                if (metadata.OfType<ConditionalReadMetadata>().Any())
                {
                    AddHeader(operation, "If-None-Match", "The ETag you hold: 304 when the resource is unchanged.");
                    Add(operation, "304", "Not modified since the ETag in If-None-Match (no body).");
                    DescribeETag(operation, "200");
                }

                if (metadata.OfType<ConditionalWriteMetadata>().Any())
                {
                    AddHeader(operation, "If-Match", "The ETag you read: the change is made only if the resource is still that version (else 412). Without it, the change is unconditional.");
                    Add(operation, "412", "The resource changed since you read it: nothing changed; problem+json with `etag` (the current ETag; null for a PUT of an account that does not exist) and, for appointments, `current`. Re-read and re-apply. A resource that is gone is a 404.");
                    DescribeETag(operation, "200");
                }

                if (metadata.OfType<IdempotentMetadata>().Any())
                {
                    AddHeader(operation, Idempotency.Header, "A key of your own (1–255 visible ASCII, a UUID say), one per request: a retry with it gets the first answer (with `Idempotent-Replayed: true`) and creates nothing again; kept 24 hours (Api:IdempotencyHours).");
                    Add(operation, "409", "The first request with this Idempotency-Key is still running: repeat after Retry-After.");
                    Add(operation, "422", "This Idempotency-Key was used for another request (another body, path or method).");
                    DescribeETag(operation, "201");
                }

                if (path is "/feeds/{id}/{secret}.ics")
                {
                    AddHeader(operation, "If-None-Match", "The feed's ETag you hold: 304 when it is unchanged.");
                    Add(operation, "304", "The feed is unchanged (no body).");
                    Add(operation, "404", "No feed at this URL (a wrong, rotated or revoked secret).");
                    Add(operation, "429", "Fetched too often (or too many wrong URLs from this address): see Retry-After.");
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

    [System.Text.RegularExpressions.GeneratedRegex(@"\{(?<name>[A-Za-z0-9_]+):[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex RouteConstraint();

    private static void AddHeader(OpenApiOperation operation, string name, string description)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.All(p => p.Name != name))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Header,
                Required = false,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    /// <summary>The answer carries the resource's strong ETag (its version).</summary>
    private static void DescribeETag(OpenApiOperation operation, string status)
    {
        if (operation.Responses!.TryGetValue(status, out var response) && response is OpenApiResponse concrete)
        {
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers["ETag"] = new OpenApiHeader
            {
                Description = "The resource's strong entity tag (its version); send it as If-Match to change it safely.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
    }
}
