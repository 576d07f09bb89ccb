using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>The contract as someone else checks it: the served OpenAPI document passes Redocly's CLI (npm, its
/// recommended rules) with no error and no warning, and declares the conditional and idempotent requests a consumer
/// generates a client from.</summary>
public sealed class OpenApiContractTests : ApiTest
{
    /// <summary>The document as a consumer at Paliad's address gets it (its server is the address asked).</summary>
    private async Task<JsonElement> DocumentAsync()
    {
        var client = WithToken(null);
        client.DefaultRequestHeaders.Host = "paliad.firm.test";
        return await ExpectAsync(client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)), HttpStatusCode.OK);
    }

    [Test]
    public async Task Redoclys_recommended_rules_find_no_error_and_no_warning_in_the_served_document()
    {
        var redocly = Environment.GetEnvironmentVariable("PALIAD_TEST_REDOCLY");
        if (string.IsNullOrEmpty(redocly) || !File.Exists(redocly))
        {
            Assert.Ignore("Redocly's CLI is missing: ./paliad test installs it (npm @redocly/cli) and names it in PALIAD_TEST_REDOCLY.");
        }

        var folder = Directory.CreateTempSubdirectory("paliad-openapi-");
        try
        {
            var file = Path.Combine(folder.FullName, "openapi.json");
            await File.WriteAllTextAsync(file, (await DocumentAsync()).GetRawText());
            var start = new ProcessStartInfo(redocly, ["lint", file, "--format=json"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = folder.FullName,
            };
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var lint = Process.Start(start)!;
            var output = lint.StandardOutput.ReadToEndAsync();
            var errors = lint.StandardError.ReadToEndAsync();
            try
            {
                await lint.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                lint.Kill(entireProcessTree: true);
                throw;
            }

            var report = JsonDocument.Parse(await output).RootElement;
            var problems = report.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}")
                .ToList();
            Assert.That(problems, Is.Empty, await errors);
            Assert.That(report.GetProperty("totals").GetProperty("errors").GetInt32(), Is.Zero);
            Assert.That(report.GetProperty("totals").GetProperty("warnings").GetInt32(), Is.Zero);
            Assert.That(lint.ExitCode, Is.Zero);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Every_conditional_and_idempotent_operation_declares_its_headers_and_answers()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        string[] Headers(string path, string method)
            => paths.GetProperty(path).GetProperty(method).TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!).ToArray()
                : [];
        string[] Answers(string path, string method) => paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).ToArray();

        foreach (var path in new[] { "/api/appointments/{id}", "/api/caldav-bindings/{id}", "/api/projects/{id}", "/api/calendar-feeds/{id}", "/api/caldav-config" })
        {
            Assert.That(Headers(path, "get"), Does.Contain("If-None-Match"), path);
            Assert.That(Answers(path, "get"), Does.Contain("304"), path);
            Assert.That(paths.GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _), Is.True, path);
        }

        foreach (var (path, method) in new[]
        {
            ("/api/appointments/{id}", "patch"), ("/api/appointments/{id}", "delete"), ("/api/caldav-bindings/{id}", "patch"), ("/api/caldav-bindings/{id}", "delete"),
            ("/api/caldav-config", "put"), ("/api/caldav-config", "delete"), ("/api/calendar-feeds/{id}", "patch"), ("/api/calendar-feeds/{id}", "delete"),
            ("/api/projects/{id}/members", "post"), ("/api/projects/{id}/members/{userId}", "delete"),
        })
        {
            Assert.That(Headers(path, method), Does.Contain("If-Match"), $"{method} {path}");
            Assert.That(Answers(path, method), Does.Contain("412"), $"{method} {path}");
        }

        foreach (var path in new[] { "/api/appointments", "/api/projects", "/api/projects/{id}/members", "/api/caldav-bindings", "/api/calendar-feeds", "/api/caldav-sync" })
        {
            Assert.That(Headers(path, "post"), Does.Contain("Idempotency-Key"), path);
            Assert.That(Answers(path, "post"), Does.Contain("409").And.Contain("422"), path);
        }
    }
}
