using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

public sealed class OpenApiTests : ApiTest
{
    [Test]
    public async Task The_openapi_document_lists_every_endpoint_of_the_design()
    {
        var document = await ExpectAsync(WithToken(null).GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)), HttpStatusCode.OK);
        var paths = document.GetProperty("paths");

        var expected = new Dictionary<string, string[]>
        {
            ["/api/me"] = ["get"],
            ["/api/caldav-config"] = ["get", "put", "delete"],
            ["/api/caldav-bindings"] = ["get", "post"],
            ["/api/caldav-bindings/{id}"] = ["get", "patch", "delete"],
            ["/api/caldav-sync-log"] = ["get"],
            ["/api/caldav-activity"] = ["get"],
            ["/api/caldav-sync"] = ["post"],
            ["/api/caldav-calendars"] = ["get"],
            ["/api/projects"] = ["get", "post"],
            ["/api/projects/{id}/members"] = ["post"],
            ["/api/projects/{id}/members/{userId}"] = ["delete"],
            ["/api/appointments"] = ["get", "post"],
            ["/api/appointments/{id}"] = ["get", "patch", "delete"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.That(paths.TryGetProperty(path, out var operations), Is.True, path);
            Assert.That(operations.EnumerateObject().Select(o => o.Name), Is.SupersetOf(methods), path);
        }
    }

    [Test]
    public async Task The_document_describes_itself_declares_the_bearer_scheme_and_every_operation_its_summary_and_errors()
    {
        var document = await ExpectAsync(WithToken(null).GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(document.GetProperty("info").GetProperty("title").GetString(), Is.EqualTo("Paliad calendar sync API"));
        Assert.That(document.GetProperty("info").GetProperty("description").GetString(), Does.Contain("Bearer"));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.That((scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()), Is.EqualTo(("http", "bearer")));
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var where = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                Assert.That(operation.Value.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 0, Is.True, $"{where} has a summary");
                Assert.That(operation.Value.GetProperty("security").GetArrayLength(), Is.EqualTo(1), $"{where} says what it needs");
                if (where == "GET /api/caldav-oauth/{provider}/callback")
                {
                    Assert.That(operation.Value.GetProperty("security")[0].EnumerateObject(), Is.Empty, "the provider's redirect carries no bearer: anonymous, said so");
                    continue;
                }

                Assert.That(operation.Value.GetProperty("security")[0].TryGetProperty("Bearer", out _), Is.True, $"{where} needs the bearer token");
                Assert.That(operation.Value.GetProperty("responses").TryGetProperty("401", out _), Is.True, $"{where} says 401");
            }
        }

        var calendars = document.GetProperty("paths").GetProperty("/api/caldav-calendars").GetProperty("get").GetProperty("responses");
        Assert.That(calendars.EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "200", "401", "404", "429", "502" }));
        var binding = document.GetProperty("paths").GetProperty("/api/caldav-bindings/{id}").GetProperty("patch").GetProperty("responses");
        Assert.That(binding.EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "400", "401", "404", "409" }));
    }

    [Test]
    public async Task The_interactive_reference_is_served()
    {
        using var client = TestHost.Api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

        using var response = await client.GetAsync(new Uri("/scalar/v1", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("openapi/v1.json").And.Contain("Scalar API Reference"));
    }
}
