using System.Net;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Scopes;

/// <summary>ForBinding and its single-appointment twin (the predicates the engine queries with), for every scope, set
/// up through the API.</summary>
public sealed class ScopeTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";

    [Test]
    public async Task The_project_appointment_is_in_both_bindings_the_personal_one_only_in_master()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var personal = await CreateAppointmentAsync(alice, "Dentist");
        var hearing = await CreateAppointmentAsync(alice, "Hearing", acme);
        var master = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");
        var project = await CreateBindingAsync(alice, "/dav/alice/acme/", "project", acme);

        Assert.That(await CarriedAsync(master), Is.EquivalentTo(new[] { personal, hearing }));
        Assert.That(await CarriedAsync(project), Is.EquivalentTo(new[] { hearing }));
    }

    [Test]
    public async Task Personal_only_carries_the_users_own_personal_appointments()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var personal = await CreateAppointmentAsync(alice, "Dentist");
        await CreateAppointmentAsync(alice, "Hearing", acme);
        await CreateAppointmentAsync(As(Bob), "Bob's dentist");
        var binding = await CreateBindingAsync(alice, "/dav/alice/private/", "personal_only");

        Assert.That(await CarriedAsync(binding), Is.EqualTo(new[] { personal }));
    }

    [Test]
    public async Task Hierarchy_scopes_carry_their_node_and_its_descendants_and_nothing_else()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var litigation = await CreateProjectAsync(alice, "Acme v. Beta", "litigation", acme);
        var patent = await CreateProjectAsync(alice, "EP 1 234 567", "patent", litigation);
        var caseNode = await CreateProjectAsync(alice, "LG Düsseldorf 4a O 12/26", "case", patent);
        var otherLitigation = await CreateProjectAsync(alice, "Acme v. Gamma", "litigation", acme);
        var otherClient = await CreateProjectAsync(alice, "Delta AG", "client");
        var atClient = await CreateAppointmentAsync(alice, "Client meeting", acme);
        var atLitigation = await CreateAppointmentAsync(alice, "Statement of claim due", litigation);
        var atPatent = await CreateAppointmentAsync(alice, "Opposition deadline", patent);
        var atCase = await CreateAppointmentAsync(alice, "Oral hearing", caseNode);
        var atOtherLitigation = await CreateAppointmentAsync(alice, "Gamma hearing", otherLitigation);
        await CreateAppointmentAsync(alice, "Delta kick-off", otherClient);
        await CreateAppointmentAsync(alice, "Dentist");

        var clientBinding = await CreateBindingAsync(alice, "/dav/alice/acme/", "client", acme);
        var litigationBinding = await CreateBindingAsync(alice, "/dav/alice/beta/", "litigation", litigation);
        var patentBinding = await CreateBindingAsync(alice, "/dav/alice/ep/", "patent", patent);
        var caseBinding = await CreateBindingAsync(alice, "/dav/alice/case/", "case", caseNode);
        var projectBinding = await CreateBindingAsync(alice, "/dav/alice/beta-only/", "project", litigation);

        Assert.That(await CarriedAsync(clientBinding), Is.EquivalentTo(new[] { atClient, atLitigation, atPatent, atCase, atOtherLitigation }));
        Assert.That(await CarriedAsync(litigationBinding), Is.EquivalentTo(new[] { atLitigation, atPatent, atCase }));
        Assert.That(await CarriedAsync(patentBinding), Is.EquivalentTo(new[] { atPatent, atCase }));
        Assert.That(await CarriedAsync(caseBinding), Is.EquivalentTo(new[] { atCase }));
        Assert.That(await CarriedAsync(projectBinding), Is.EquivalentTo(new[] { atLitigation }));
    }

    [Test]
    public async Task A_hierarchy_scope_must_name_a_project_of_its_kind()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");

        var problem = await ExpectAsync(PostAsync(alice, "/api/caldav-bindings", new { calendarPath = "/dav/alice/x/", scope = "litigation", scopeId = acme }), HttpStatusCode.BadRequest);

        Assert.That(FieldErrors(problem, "scopeId"), Is.Not.Empty);
    }

    [Test]
    public async Task Access_inherited_from_an_ancestor_reaches_every_descendant()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var litigation = await CreateProjectAsync(alice, "Acme v. Beta", "litigation", acme);
        var patent = await CreateProjectAsync(alice, "EP 1 234 567", "patent", litigation);
        var deep = await CreateAppointmentAsync(alice, "Opposition deadline", patent);
        var sibling = await CreateProjectAsync(alice, "Delta AG", "client");
        await CreateAppointmentAsync(alice, "Delta kick-off", sibling);
        await ShareAsync(alice, acme, Bob, "viewer");
        var bob = As(Bob);

        var bobsMaster = await CreateBindingAsync(bob, "/dav/bob/master/", "all_visible");
        var bobsPatent = await CreateBindingAsync(bob, "/dav/bob/ep/", "patent", patent);

        Assert.That(await CarriedAsync(bobsMaster), Is.EqualTo(new[] { deep }));
        Assert.That(await CarriedAsync(bobsPatent), Is.EqualTo(new[] { deep }));
        var bobsProjects = await ExpectAsync(bob.GetAsync(new Uri("/api/projects", UriKind.Relative)), HttpStatusCode.OK);
        Assert.That(bobsProjects.EnumerateArray().Select(p => p.GetProperty("role").GetString()), Is.EqualTo(new[] { "viewer", "viewer", "viewer" }));
    }

    [Test]
    public async Task Unsharing_a_project_removes_its_appointments_from_the_users_scopes_only()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Hearing", acme);
        await ShareAsync(alice, acme, Bob, "editor");
        var bob = As(Bob);
        var bobsMaster = await CreateBindingAsync(bob, "/dav/bob/master/", "all_visible");
        var bobsAcme = await CreateBindingAsync(bob, "/dav/bob/acme/", "client", acme);
        var alicesMaster = await CreateBindingAsync(alice, "/dav/alice/master/", "all_visible");
        Assert.That(await CarriedAsync(bobsAcme), Is.EqualTo(new[] { hearing }));

        await ExpectAsync(alice.DeleteAsync(new Uri($"/api/projects/{acme}/members/{UserIdOf(Bob)}", UriKind.Relative)), HttpStatusCode.NoContent);

        Assert.That(await CarriedAsync(bobsMaster), Is.Empty);
        Assert.That(await CarriedAsync(bobsAcme), Is.Empty);
        Assert.That(await CarriedAsync(alicesMaster), Is.EqualTo(new[] { hearing }));
    }

    private static async Task<List<Guid>> CarriedAsync(Guid bindingId)
    {
        await using var scope = TestHost.NewDbContext();
        var binding = await scope.Db.CalendarBindings.AsNoTracking().SingleAsync(b => b.Id == bindingId);
        return await scope.Db.ForBinding(binding).Select(a => a.Id).ToListAsync();
    }
}
