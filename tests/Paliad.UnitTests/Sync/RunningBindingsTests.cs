using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Sync;

namespace Paliad.UnitTests.Sync;

/// <summary>Hooks hand their appointments to the run holding their binding; the run pushes them before it lets go.</summary>
public sealed class RunningBindingsTests
{
    [Test]
    public void Nothing_can_be_handed_to_a_binding_no_run_holds()
    {
        var running = new RunningBindings();

        Assert.That(running.TryHandOver(Guid.NewGuid(), [Guid.NewGuid()]), Is.Null);
        Assert.That(running.WhenLeft(Guid.NewGuid()), Is.Null);
    }

    [Test]
    public async Task Appointments_handed_over_are_pushed_by_the_run_and_their_hook_learns_it()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        var running = new RunningBindings();
        var run = running.Enter(rig.Binding.Id);
        var tick = rig.NewTick();

        var handed = running.TryHandOver(rig.Binding.Id, [hearing.Id])!;
        await run.PushHandedOverAsync(tick, CancellationToken.None);

        Assert.That(await handed, Is.EqualTo(HandOverOutcome.Pushed));
        Assert.That(rig.Calendar.Events, Has.Count.EqualTo(1));
        Assert.That(tick.Tally.Counts, Is.EqualTo(SyncCounts.None with { Pushed = 1 }));
    }

    [Test]
    public async Task What_was_handed_over_after_the_last_push_goes_back_to_its_hook_when_the_run_ends()
    {
        var running = new RunningBindings();
        var binding = Guid.NewGuid();
        var run = running.Enter(binding);
        var handed = running.TryHandOver(binding, [Guid.NewGuid()])!;

        running.Leave(binding, run);

        Assert.That(await handed, Is.EqualTo(HandOverOutcome.NotTaken));
        Assert.That(running.TryHandOver(binding, [Guid.NewGuid()]), Is.Null, "a run that ended takes nothing more");
        Assert.That(run.WhenLeft.IsCompleted, Is.True);
    }

    [Test]
    public async Task A_hook_waiting_for_a_run_of_this_process_is_released_when_it_ends()
    {
        var running = new RunningBindings();
        var binding = Guid.NewGuid();
        var run = running.Enter(binding);
        var left = running.WhenLeft(binding)!;
        Assert.That(left.IsCompleted, Is.False);

        running.Leave(binding, run);

        await left.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(running.WhenLeft(binding), Is.Null);
    }

    [Test]
    public async Task A_push_that_fails_fails_the_hooks_that_handed_it_over()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        rig.Calendar.FailNext("create", new Paliad.Infrastructure.CalDav.CalDavUnauthorizedException("401"));
        var running = new RunningBindings();
        var run = running.Enter(rig.Binding.Id);

        var handed = running.TryHandOver(rig.Binding.Id, [hearing.Id])!;
        Assert.ThrowsAsync<Paliad.Infrastructure.CalDav.CalDavUnauthorizedException>(() => run.PushHandedOverAsync(rig.NewTick(), CancellationToken.None));

        Assert.ThrowsAsync<Paliad.Infrastructure.CalDav.CalDavUnauthorizedException>(async () => await handed);
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_push_with_a_problem_fails_the_hooks_so_the_outbox_retries_them()
    {
        var rig = new PhaseRig();
        var hearing = rig.Personal();
        rig.Calendar.FailNext("create", new Paliad.Infrastructure.CalDav.CalDavForbiddenException("403"));
        var running = new RunningBindings();
        var run = running.Enter(rig.Binding.Id);

        var handed = running.TryHandOver(rig.Binding.Id, [hearing.Id])!;
        await run.PushHandedOverAsync(rig.NewTick(), CancellationToken.None);

        Assert.ThrowsAsync<SyncBusyException>(async () => await handed);
    }
}
