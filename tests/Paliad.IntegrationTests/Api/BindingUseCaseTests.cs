using System.Net;
using Paliad.Application.CalDav.Bindings.ListAllEnabled;
using Paliad.Application.CalDav.Bindings.ListEnabledBindings;
using Paliad.Application.CalDav.Bindings.SetBindingSyncStatus;
using Paliad.Domain.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>The binding use cases the sync engine calls through the mediator.</summary>
public sealed class BindingUseCaseTests : ApiTest
{
    [Test]
    public async Task ListAllEnabled_finds_users_with_sync_on_and_an_enabled_binding()
    {
        foreach (var (email, syncEnabled) in new[] { ("alice@firm.example", true), ("bob@firm.example", false), ("carol@firm.example", true) })
        {
            await ExpectAsync(
                PutAsync(As(email), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = email, calendarPath = $"/dav/{email}/", syncEnabled }),
                HttpStatusCode.OK);
        }

        var carolsBinding = (await SendAsync(new ListEnabledBindings(UserIdOf("carol@firm.example")))).Single();
        await ExpectAsync(PatchAsync(As("carol@firm.example"), $"/api/caldav-bindings/{carolsBinding.Id}", new { enabled = false }), HttpStatusCode.OK);

        Assert.That(await SendAsync(new ListAllEnabled()), Is.EqualTo(new[] { UserIdOf("alice@firm.example") }));
        Assert.That(await SendAsync(new ListEnabledBindings(UserIdOf("carol@firm.example"))), Is.Empty);
    }

    [Test]
    public async Task SetBindingSyncStatus_records_the_outcome_the_api_then_shows()
    {
        var alice = As("alice@firm.example");
        var binding = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");

        await SendAsync(new SetBindingSyncStatus(binding, BindingSyncStatus.Error, "503 Service Unavailable", Now));
        var failed = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.OK);
        await SendAsync(new SetBindingSyncStatus(binding, BindingSyncStatus.Ok, null, Now.AddMinutes(1)));
        var recovered = await ExpectAsync(alice.GetAsync(new Uri($"/api/caldav-bindings/{binding}", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(failed.GetProperty("syncStatus").GetString(), Is.EqualTo("error"));
        Assert.That(failed.GetProperty("lastSyncError").GetString(), Is.EqualTo("503 Service Unavailable"));
        Assert.That(recovered.GetProperty("syncStatus").GetString(), Is.EqualTo("ok"));
        Assert.That(recovered.GetProperty("lastSyncError").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(recovered.GetProperty("lastSyncAt").GetString(), Is.EqualTo("2026-11-26T09:31:00Z"));
    }
}
