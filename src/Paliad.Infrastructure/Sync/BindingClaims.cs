using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Sync;

/// <summary>A claim on a binding: the binding and the lease token, or — when the claim was not needed after all (the
/// run holding the binding did the work) or not possible in time — how the attempt ended.</summary>
internal sealed record ClaimOutcome(ClaimedBinding? Claimed, string Token, RunResult? Settled);

/// <summary>
/// Claims a binding for a run. A binding someone else holds is normal: appointments to push are handed to the run of
/// this process holding it (<see cref="RunningBindings"/>); otherwise the claim waits — at once released when that run
/// ends, polling a run of another instance — until its time is up.
/// </summary>
internal sealed class BindingClaims(SyncDatabase database, TimeProvider clock, TimeSpan lease, string instanceId)
{
    /// <summary>How often a claim waiting for a binding held by another instance looks again.</summary>
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromMilliseconds(100);

    public RunningBindings Running { get; } = new();

    public async Task<ClaimOutcome> ClaimAsync(Guid bindingId, TimeSpan waitForLease, IReadOnlyCollection<Guid>? handOver, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var token = Leases.NewToken(instanceId);
        var claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        while (claimed is null)
        {
            var left = waitForLease - elapsed.Elapsed;
            if (handOver is not null && Running.TryHandOver(bindingId, handOver) is { } handed)
            {
                // The run holding the binding pushes these before it lets go: nothing fails, nothing is retried.
                if (await HandedOverAsync(bindingId, handed, left, cancellationToken) is { } outcome)
                {
                    return new ClaimOutcome(null, token, outcome);
                }
            }
            else if (left <= TimeSpan.Zero)
            {
                var path = await database.UseAsync(db => db.CalendarBindings.Where(b => b.Id == bindingId).Select(b => b.CalendarPath).SingleOrDefaultAsync(cancellationToken));
                return new ClaimOutcome(null, token, new RunResult(BindingSyncResult.Skipped(bindingId, path ?? string.Empty, "Another sync of this calendar is running.")));
            }
            else
            {
                await WaitForReleaseAsync(bindingId, left, cancellationToken);
            }

            claimed = await TryClaimAsync(bindingId, token, cancellationToken);
        }

        return new ClaimOutcome(claimed, token, null);
    }

    private Task<ClaimedBinding?> TryClaimAsync(Guid bindingId, string token, CancellationToken cancellationToken)
        => database.UseAsync(db => Leases.TryClaimBindingAsync(db, bindingId, token, lease, cancellationToken));

    /// <summary>What became of appointments handed to the run holding the binding: null when it ended without taking
    /// them (the caller claims the binding itself).</summary>
    private async Task<RunResult?> HandedOverAsync(Guid bindingId, Task<HandOverOutcome> handed, TimeSpan left, CancellationToken cancellationToken)
    {
        try
        {
            return await handed.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, clock, cancellationToken) == HandOverOutcome.Pushed
                ? new RunResult(new BindingSyncResult(bindingId, string.Empty, SyncRunStatus.Ok, SyncCounts.None))
                : null;
        }
        catch (TimeoutException)
        {
            return new RunResult(BindingSyncResult.Skipped(bindingId, string.Empty, "Another sync of this calendar is running."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var problem = SyncProblems.Of(e);
            return new RunResult(new BindingSyncResult(bindingId, string.Empty, SyncRunStatus.Error, SyncCounts.None, problem.Said, problem.Detail), e);
        }
    }

    /// <summary>Waits until a run of this process on the binding ends (at once when it does), or a poll interval for
    /// a run of another instance.</summary>
    private async Task WaitForReleaseAsync(Guid bindingId, TimeSpan left, CancellationToken cancellationToken)
    {
        if (Running.WhenLeft(bindingId) is not { } ended)
        {
            await Task.Delay(left < LeasePollInterval ? left : LeasePollInterval, clock, cancellationToken);
            return;
        }

        try
        {
            await ended.WaitAsync(left, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The caller's wait is over.
        }
    }
}
