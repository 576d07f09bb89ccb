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
    public async Task The_interactive_reference_is_served()
    {
        using var client = TestHost.Api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

        using var response = await client.GetAsync(new Uri("/scalar/v1", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("openapi/v1.json").And.Contain("Scalar API Reference"));
    }
}
