using Paliad.Infrastructure.CalDav;

namespace Paliad.UnitTests.CalDav;

/// <summary>The process-wide budget of answer bytes: requests wait for room in arrival order, never exceed it, and
/// give their room back when disposed or cancelled.</summary>
public sealed class AnswerBudgetTests
{
    [Test]
    public async Task A_reservation_that_does_not_fit_waits_until_room_is_released()
    {
        var budget = new AnswerBudget(() => 100);
        var first = await budget.ReserveAsync(70, CancellationToken.None);

        var second = budget.ReserveAsync(40, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.That(second.IsCompleted, Is.False);
        Assert.That(budget.Held, Is.EqualTo(70));

        first.Dispose();
        using var granted = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(budget.Held, Is.EqualTo(40));
    }

    [Test]
    public async Task Waiters_are_served_in_arrival_order_so_a_large_one_is_not_overtaken_by_small_ones()
    {
        var budget = new AnswerBudget(() => 100);
        var held = await budget.ReserveAsync(60, CancellationToken.None);
        var large = budget.ReserveAsync(90, CancellationToken.None).AsTask();

        var small = budget.ReserveAsync(10, CancellationToken.None).AsTask();
        await Task.Delay(50);

        Assert.That(small.IsCompleted, Is.False, "fits, but a larger request came first");
        held.Dispose();
        (await large.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        (await small.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.That(budget.Held, Is.Zero);
    }

    [Test]
    public async Task A_cancelled_waiter_leaves_the_queue_and_lets_the_next_one_in()
    {
        var budget = new AnswerBudget(() => 100);
        var held = await budget.ReserveAsync(60, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var blocked = budget.ReserveAsync(90, cancel.Token).AsTask();
        var small = budget.ReserveAsync(30, CancellationToken.None).AsTask();

        await cancel.CancelAsync();

        Assert.That(async () => await blocked, Throws.InstanceOf<OperationCanceledException>());
        using var granted = await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(budget.Held, Is.EqualTo(90));
        held.Dispose();
    }

    [Test]
    public async Task A_reservation_larger_than_the_budget_takes_the_whole_budget_and_disposing_twice_releases_once()
    {
        var budget = new AnswerBudget(() => 100);

        var whole = await budget.ReserveAsync(500, CancellationToken.None);
        whole.Dispose();
        whole.Dispose();

        Assert.That(whole.Bytes, Is.EqualTo(100));
        Assert.That(budget.Held, Is.Zero);
    }
}
