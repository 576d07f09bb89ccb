using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Paliad.Infrastructure;
using Paliad.Infrastructure.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddPaliadInfrastructure(builder.Configuration);
builder.Services.AddHealthChecks().AddDbContextCheck<PaliadDbContext>("database", tags: ["ready"]);

var app = builder.Build();

if (app.Configuration.GetValue("Database:MigrateOnStartup", defaultValue: true))
{
    await DatabaseMigrator.MigrateAsync(app.Services);
}

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

await app.RunAsync();

/// <summary>Entry point; public so WebApplicationFactory can host it in tests.</summary>
public partial class Program;
