using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Api.Auth;

namespace Paliad.IntegrationTests.Infrastructure;

/// <summary>Base of tests that drive the real HTTP API as signed-in users (tokens like Supabase's).</summary>
public abstract class ApiTest : DatabaseTest
{
    protected static readonly AuthOptions TestAuth = new() { JwtSigningKey = PaliadApiFactory.SigningKey };

    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<string, HttpClient> _signedIn = new(StringComparer.Ordinal);

    [TearDown]
    public void DisposeClients()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _clients.Clear();
        _signedIn.Clear();
    }

    protected static Guid UserIdOf(string email) => DevelopmentTokens.UserIdFor(email);

    protected static string TokenFor(string email, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null)
        => DevelopmentTokens.Mint(TestAuth, email, null, lifetime ?? TimeSpan.FromHours(1), issuedAt ?? DateTimeOffset.UtcNow);

    /// <summary>An HTTP client signed in as the user with this e-mail (one per user and test).</summary>
    protected HttpClient As(string email)
    {
        if (!_signedIn.TryGetValue(email, out var client))
        {
            client = WithToken(TokenFor(email));
            _signedIn[email] = client;
        }

        return client;
    }

    protected HttpClient WithToken(string? token)
    {
        var client = TestHost.Api.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Runs a use case through the mediator, as the engine does.</summary>
    protected static async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = TestHost.Api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request);
    }

    protected static async Task<T> SendAsync<T>(IQuery<T> query)
    {
        await using var scope = TestHost.Api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(query);
    }

    protected static async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = TestHost.Api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(command);
    }

    protected static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Sends and asserts the status, returning the JSON body (or default for an empty one).</summary>
    protected static async Task<JsonElement> ExpectAsync(Task<HttpResponseMessage> request, HttpStatusCode status)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        return string.IsNullOrEmpty(body) ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    protected static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body)
        => client.PostAsJsonAsync(path, body);

    protected static Task<HttpResponseMessage> PutAsync(HttpClient client, string path, object body)
        => client.PutAsJsonAsync(path, body);

    protected static Task<HttpResponseMessage> PatchAsync(HttpClient client, string path, object body)
        => client.PatchAsJsonAsync(path, body);

    /// <summary>The messages a 400 problem lists for one field.</summary>
    protected static string[] FieldErrors(JsonElement problem, string field)
        => problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : [];

    // Scenario helpers: each goes through the API, so they exercise what they set up.
    protected static async Task<Guid> CreateProjectAsync(HttpClient client, string name, string kind, Guid? parentId = null)
        => (await ExpectAsync(PostAsync(client, "/api/projects", new { name, kind, parentId }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    protected static async Task<Guid> CreateAppointmentAsync(HttpClient client, string title, Guid? projectId = null, DateTimeOffset? startsAt = null)
    {
        var start = startsAt ?? new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.FromHours(1));
        var body = new { title, startsAt = start, endsAt = start.AddHours(1), timeZone = "Europe/Berlin", projectId };
        return (await ExpectAsync(PostAsync(client, "/api/appointments", body), HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    protected static async Task<Guid> CreateBindingAsync(HttpClient client, string calendarPath, string scope, Guid? scopeId = null)
        => (await ExpectAsync(PostAsync(client, "/api/caldav-bindings", new { calendarPath, scope, scopeId }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

    protected static async Task ShareAsync(HttpClient owner, Guid projectId, string email, string role)
    {
        using var response = await PostAsync(owner, $"/api/projects/{projectId}/members", new { userId = UserIdOf(email), role });
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }
}
