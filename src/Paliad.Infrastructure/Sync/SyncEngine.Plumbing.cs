using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>Plumbing: hook work under a binding's lease, best-effort loops, clients and claims.</summary>
public sealed partial class SyncEngine
{
    // ---- plumbing -----------------------------------------------------------------------------------------------

    private delegate Task BindingWork(PaliadDbContext db, BindingTick tick, CalendarBinding binding, CancellationToken cancellationToken);

    /// <summary>Runs hook work on one binding under its lease and the hook timeout. A binding another instance holds
    /// is a failure, so the outbox retries once that tick is done (nothing is lost, nothing done twice).</summary>
    private async Task WithBindingAsync(Guid bindingId, BindingWork work, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HookDeadline);
        var token = Leases.NewToken(InstanceId);
        if (await TryClaimAsync(bindingId, token, timeout.Token) is null)
        {
            throw new SyncBusyException($"Binding {bindingId} is being synced by another worker; will retry.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        try
        {
            var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == bindingId, timeout.Token);
            var config = binding is null ? null : await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == binding.UserId, timeout.Token);
            if (binding is null || config is null)
            {
                return;
            }

            var started = clock.GetUtcNow();
            using var activity = SyncTelemetry.StartHook(bindingId);
            var client = await ClientForAsync(scope, db, config, timeout.Token);
            var tick = new BindingTick(binding, new CalDavCalendar(client, binding.CalendarPath), new DatabaseCopyBook(db, binding), TickSettings, logger,
                () => RenewAsync(db, bindingId, token));
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            await work(db, tick, binding, timeout.Token);
            var problems = tick.Tally.Problems.Count > 0 ? string.Join("; ", tick.Tally.Problems) : null;
            SyncTelemetry.Describe(activity, binding.CalendarPath, tick.Tally.Counts, problems);
            var c = tick.Tally.Counts;
            LogHook(logger, binding.Id, binding.UserId, problems is null ? "ok" : "partial", c.Pushed, c.Updated, c.Deleted, c.Pulled, c.Conflicts, c.Restored,
                elapsed.ElapsedMilliseconds, problems);

            if (tick.Tally.Counts != SyncCounts.None || tick.Tally.Problems.Count > 0)
            {
                // What a hook did (a push, a conflict it resolved, a removal) belongs in the audit as much as a tick.
                var status = tick.Tally.Problems.Count > 0 ? SyncLogStatus.Partial : SyncLogStatus.Ok;
                var error = tick.Tally.Problems.Count > 0 ? string.Join("; ", tick.Tally.Problems) : null;
                db.SyncLog.Add(SyncLogEntry.Record(binding.UserId, binding.Id, started, clock.GetUtcNow(), status, tick.Tally.Counts, error));
                await db.SaveChangesAsync(CancellationToken.None);
                if (error is not null)
                {
                    throw new SyncBusyException(error);
                }
            }
        }
        finally
        {
            await Leases.ReleaseBindingAsync(db, bindingId, token, CancellationToken.None);
        }
    }

    /// <summary>Each binding best effort: all are tried, and if any failed the whole hook fails afterwards. When
    /// every failure was one user's unusable account (401/403, an address or origin the guard refuses) and
    /// <paramref name="userOf"/> says whose, the hook fails with <see cref="AccountNeedsFixingException"/>, so the
    /// outbox waits for that account to change instead of retrying. (Failures of several users' accounts are
    /// retried with backoff: one user's fix must not wait for another's.)</summary>
    private async Task ForEachBindingAsync(
        IReadOnlyCollection<Guid> bindingIds, Func<Guid, Task> work, CancellationToken cancellationToken, Func<Guid, Guid>? userOf = null)
    {
        var failures = new List<(Guid BindingId, Exception Error)>();
        foreach (var bindingId in bindingIds)
        {
            try
            {
                await work(bindingId);
            }
            catch (Exception e) when (e is CalDavException or SyncBusyException or LeaseLostException or DbUpdateException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add((bindingId, e));
                metrics.Errors.Add(1);
                LogHookFailure(logger, bindingId, e.Message);
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        var message = string.Join("; ", failures.Select(f => $"binding {f.BindingId}: {f.Error.Message}"));
        if (userOf is not null && failures.TrueForAll(f => IsAccountProblem(f.Error)) && failures.Select(f => userOf(f.BindingId)).Distinct().Count() == 1)
        {
            throw new AccountNeedsFixingException(userOf(failures[0].BindingId), message);
        }

        throw new SyncBusyException(message);
    }

    private static bool IsAccountProblem(Exception e)
        => e is CalDavUnauthorizedException or CalDavForbiddenException or CalDavAddressNotAllowedException or CalDavOriginRefusedException;

    private static void RequireDone(BindingSyncResult result)
    {
        if (result.Status is BindingSyncResult.Skipped or "error")
        {
            throw new SyncBusyException($"Binding {result.BindingId}: {result.Error}");
        }
    }

    private async Task<ClaimedBinding?> TryClaimAsync(Guid bindingId, string token, CancellationToken cancellationToken)
        => await ReadAsync(db => Leases.TryClaimBindingAsync(db, bindingId, token, Lease, cancellationToken));

    private async Task<CalDavClient> ClientForAsync(AsyncServiceScope scope, PaliadDbContext db, CalDavConfig config, CancellationToken cancellationToken)
    {
        var protector = scope.ServiceProvider.GetRequiredService<ICalDavPasswordProtector>();
        string? password;
        try
        {
            password = await protector.ReadPasswordAsync(db, config, cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException e) when (e is not KeyRingBehindException)
        {
            // No key of the ring opens it (key ring lost, or a key-encryption certificate that is not the one that
            // encrypted the ring): the user has to enter the password again.
            throw new CalDavUnauthorizedException($"The stored CalDAV password cannot be decrypted ({e.Message}); save the account again.");
        }

        return clients.Create(config.ServerUrl, config.Username, password);
    }

    private async Task<CalDavClient?> ClientForUserAsync(PaliadDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        var config = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        if (config is null)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await ClientForAsync(scope, db, config, cancellationToken);
    }

    private async Task<T> ReadAsync<T>(Func<PaliadDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PaliadDbContext>());
    }
}
