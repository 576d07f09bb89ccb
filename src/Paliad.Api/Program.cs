using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Paliad.Api.Composition;
using Paliad.Api.Auth;
using Paliad.Api.Endpoints;
using Paliad.Api.Errors;
using Paliad.Api.Json;
using Paliad.Api.Protection;
using Paliad.Application;
using Paliad.Application.Common;
using Paliad.Infrastructure;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Secrets;
using Scalar.AspNetCore;

if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs);
}

if (args is ["outbox", .. var outboxArgs])
{
    return await OutboxCommand.RunAsync(outboxArgs);
}

if (args is ["keys", .. var keysArgs])
{
    return await KeysCommand.RunAsync(keysArgs);
}

var builder = WebApplication.CreateBuilder(args);
try
{
    StartupChecks.Enforce(builder.Environment, builder.Configuration);
}
catch (StartupRefusedException refused)
{
    await Console.Error.WriteLineAsync(refused.Message);
    return 1;
}

builder.Services.AddPaliadApplication();
builder.Services.AddMediator((MediatorOptions options) =>
{
    options.ServiceLifetime = ServiceLifetime.Scoped;
    options.Assemblies = [typeof(ApplicationAssembly), typeof(Paliad.Infrastructure.DependencyInjection), typeof(Paliad.Domain.Common.IDomainEvent)];
    options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
});
builder.Services.AddPaliadInfrastructure(builder.Configuration);
builder.Services.AddPaliadAuthentication(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

// Binding failures (malformed JSON, a date that is not one) reach the exception handler in every environment,
// so they answer a 400 that names the field.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new UtcDateTimeOffsetConverter()));
builder.Services.AddPaliadOpenApi();
builder.Services.AddApiProtection(builder.Configuration);

// Feeds are text that compresses tenfold; only they are compressed (no secret of the caller is echoed in them).
builder.Services.AddResponseCompression(compression =>
{
    compression.EnableForHttps = true;
    compression.MimeTypes = ["text/calendar"];
    compression.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
});
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize =
    builder.Configuration.GetValue($"{ApiProtectionOptions.Section}:{nameof(ApiProtectionOptions.MaxRequestBodyBytes)}", new ApiProtectionOptions().MaxRequestBodyBytes));
builder.Services.AddPaliadTelemetry(builder.Configuration, builder.Environment);
builder.Services.AddHealthChecks().AddDbContextCheck<PaliadDbContext>("database", tags: ["ready"]);

var app = builder.Build();

if (app.Configuration.GetValue("Database:MigrateOnStartup", defaultValue: true))
{
    await DatabaseMigrator.MigrateAsync(app.Services);
}

try
{
    await KeyRing.EnsureCurrentKeyAsync(app.Services);
}
catch (KeyEncryptionException refused)
{
    await Console.Error.WriteLineAsync($"Paliad refuses to start ({app.Environment.EnvironmentName}): {refused.Message}");
    return 1;
}

app.UseSecurityHeaders(app.Environment);
app.UseWhen(http => http.Request.Path.StartsWithSegments("/feeds", StringComparison.Ordinal), feeds => feeds.UseResponseCompression());
app.UseExceptionHandler();
app.UseStatusCodePages();

// The settings page (wwwroot): plain ES modules and CSS, everything served by Paliad, no CDN.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRequestBodyCap();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseIdempotencyKeys();

StartupChecks.Warn(app.Configuration, app.Logger);
app.Services.GetRequiredService<Paliad.Infrastructure.Sync.SyncGauges>(); // registers the backlog gauges
if (StartupChecks.PublishReference(app.Environment, app.Configuration))
{
    app.MapOpenApi();
    app.MapScalarApiReference();
}

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
app.MapSyncHealth();
if (TelemetrySetup.PrometheusEnabled(app.Configuration, app.Environment))
{
    app.MapPrometheusScrapingEndpoint("/metrics");
}


if (app.Environment.IsDevelopment())
{
    app.MapDevelopmentSignIn();
}

app.MapGroup("/api")
    .RequireAuthorization()
    .AddEndpointFilter<ProvisionCallerFilter>()
    .WithEntityTags()
    .MapIdentityEndpoints()
    .MapProjectsEndpoints()
    .MapAppointmentsEndpoints()
    .MapCalDavEndpoints()
    .MapCalDavOAuthEndpoints()
    .MapFeedsEndpoints();
app.MapCalDavOAuthCallback();
app.MapFeedFetch();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
