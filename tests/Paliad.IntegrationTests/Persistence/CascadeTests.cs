using Microsoft.EntityFrameworkCore;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Persistence;

/// <summary>What goes and what stays when appointments and bindings are deleted (the seed's cascade scenario).</summary>
public sealed class CascadeTests : DatabaseTest
{
    private User _alice = null!;
    private Appointment _hearing = null!;
    private CalendarBinding _master = null!;
    private CalendarBinding _acme = null!;

    [SetUp]
    public async Task SeedAsync()
    {
        await using var scope = TestHost.NewDbContext();
        var db = scope.Db;
        _alice = User.Provision(Guid.CreateVersion7(), "alice@firm.example", "Alice", Now);
        var client = Project.Create(ProjectKind.Client, "Acme GmbH", null, _alice.Id, Now);
        _hearing = Appointment.Create(_alice.Id, client.Id, new AppointmentDetails("Hearing", null, null, Now.AddDays(7), Now.AddDays(7).AddHours(2), false, "Europe/Berlin"), Now);
        _master = CalendarBinding.Create(_alice.Id, "/dav/alice/master/", "Master", BindingScope.AllVisible, null, true, Now);
        _acme = CalendarBinding.Create(_alice.Id, "/dav/alice/acme/", "Acme", BindingScope.Client, client.Id, true, Now);
        db.AddRange(_alice, client, _hearing, _master, _acme);
        db.AddRange(
            AppointmentTarget.RecordCreated(_hearing.Id, _master.Id, "uid-m", "/dav/alice/master/uid-m.ics", "\"1\"", "hash", Now),
            AppointmentTarget.RecordCreated(_hearing.Id, _acme.Id, "uid-a", "/dav/alice/acme/uid-a.ics", "\"1\"", "hash", Now),
            SyncLogEntry.Record(_alice.Id, _acme.Id, Now, Now.AddSeconds(2), SyncLogStatus.Ok, SyncCounts.None with { Pushed = 1 }, null),
            SyncLogEntry.Record(_alice.Id, _master.Id, Now, Now.AddSeconds(2), SyncLogStatus.Ok, SyncCounts.None with { Pushed = 1 }, null));
        await db.SaveChangesAsync();
    }

    [Test]
    public async Task Deleting_an_appointment_drops_its_targets()
    {
        await ExecuteAsync("DELETE FROM paliad.appointments WHERE id = @id", ("id", _hearing.Id));

        await using var scope = TestHost.NewDbContext();
        Assert.That(await scope.Db.AppointmentTargets.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task Deleting_a_binding_drops_its_targets_and_keeps_its_sync_log_with_binding_id_null()
    {
        await using (var scope = TestHost.NewDbContext())
        {
            var acme = await scope.Db.CalendarBindings.SingleAsync(b => b.Id == _acme.Id);
            scope.Db.CalendarBindings.Remove(acme);
            await scope.Db.SaveChangesAsync();
        }

        await using var check = TestHost.NewDbContext();
        var targets = await check.Db.AppointmentTargets.Select(t => t.BindingId).ToListAsync();
        var log = await check.Db.SyncLog.OrderBy(e => e.BindingId).Select(e => e.BindingId).ToListAsync();
        Assert.That(targets, Is.EqualTo(new[] { _master.Id }));
        Assert.That(log, Is.EquivalentTo(new Guid?[] { null, _master.Id }));
    }

    [Test]
    public async Task Domain_values_round_trip_through_the_schema()
    {
        await using var scope = TestHost.NewDbContext();

        var acme = await scope.Db.CalendarBindings.AsNoTracking().SingleAsync(b => b.Id == _acme.Id);
        var entry = await scope.Db.SyncLog.AsNoTracking().SingleAsync(e => e.BindingId == _acme.Id);
        var hearing = await scope.Db.Appointments.AsNoTracking().SingleAsync(a => a.Id == _hearing.Id);

        Assert.That(await ScalarAsync<string>("SELECT scope FROM paliad.calendar_bindings WHERE id = @id", ("id", _acme.Id)), Is.EqualTo("client"));
        Assert.That(acme.Scope, Is.EqualTo(BindingScope.Client));
        Assert.That(entry.Counts, Is.EqualTo(SyncCounts.None with { Pushed = 1 }));
        Assert.That(hearing.Details, Is.EqualTo(_hearing.Details));
    }

    [Test]
    public async Task A_stale_appointment_version_is_refused()
    {
        await using var first = TestHost.NewDbContext();
        await using var second = TestHost.NewDbContext();
        var mine = await first.Db.Appointments.SingleAsync(a => a.Id == _hearing.Id);
        var theirs = await second.Db.Appointments.SingleAsync(a => a.Id == _hearing.Id);
        mine.Change(mine.Details with { Location = "Saal 1" }, Now.AddMinutes(1));
        theirs.Change(theirs.Details with { Location = "Saal 2" }, Now.AddMinutes(1));
        await first.Db.SaveChangesAsync();

        Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.Db.SaveChangesAsync());
    }

    [Test]
    public async Task Two_owners_removing_each_other_at_once_cannot_leave_a_project_without_owner()
    {
        var bob = User.Provision(Guid.CreateVersion7(), "bob@firm.example", "Bob", Now);
        Guid projectId;
        await using (var setup = TestHost.NewDbContext())
        {
            var project = await setup.Db.Projects.Include(p => p.Members).FirstAsync();
            project.Share(bob.Id, ProjectRole.Owner, Now);
            setup.Db.Users.Add(bob);
            await setup.Db.SaveChangesAsync();
            projectId = project.Id;
        }

        await using var first = TestHost.NewDbContext();
        await using var second = TestHost.NewDbContext();
        var asAlice = await first.Db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == projectId);
        var asBob = await second.Db.Projects.Include(p => p.Members).SingleAsync(p => p.Id == projectId);
        asAlice.Unshare(bob.Id);
        asBob.Unshare(_alice.Id);
        await first.Db.SaveChangesAsync();

        Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.Db.SaveChangesAsync());
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.project_members WHERE role = 'owner'"), Is.EqualTo(1));
    }
}
