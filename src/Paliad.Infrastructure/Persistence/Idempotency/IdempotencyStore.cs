using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Paliad.Application.Common;

namespace Paliad.Infrastructure.Persistence.Idempotency;

/// <summary>
/// The idempotency keys in PostgreSQL. A claim is one <c>INSERT … ON CONFLICT</c> (that takes over only an expired
/// key): of two requests with one key, on one instance or two, exactly one inserts and runs; the other reads what the first left (running → 409,
/// finished → its answer, another request under the key → 422). A key older than <c>Api:IdempotencyHours</c> counts as
/// new. Each call runs in its own scope, apart from the request's unit of work. A kept body is encrypted with Data
/// Protection like the CalDAV passwords: a created feed's answer holds its secret URL, which is never stored in clear.
/// </summary>
internal sealed class IdempotencyStore(
    IServiceScopeFactory scopes, IOptionsMonitor<IdempotencyOptions> options, TimeProvider clock, IDataProtectionProvider dataProtection) : IIdempotencyStore
{
    private readonly IDataProtector _bodies = dataProtection.CreateProtector("Paliad.IdempotencyKeys.Answer.v1");

    public async Task<IdempotencyClaim> ClaimAsync(Guid userId, string key, string fingerprint, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var now = clock.GetUtcNow();

        // One statement: a new key is inserted; a key past its retention (the sweep may not have come by yet) is new
        // again and taken over; a live one is left as it is (0 rows).
        var expired = now - Retention;
        var inserted = await db.Database.ExecuteSqlAsync(
            $"""
             INSERT INTO paliad.idempotency_keys (user_id, key, fingerprint, started_at) VALUES ({userId}, {key}, {fingerprint}, {now})
             ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, started_at = excluded.started_at,
                 completed_at = NULL, status = NULL, content_type = NULL, location = NULL, etag = NULL, body = NULL
             WHERE idempotency_keys.started_at < {expired}
             """,
            cancellationToken);
        if (inserted == 1)
        {
            return new IdempotencyClaim(IdempotencyClaimKind.Claimed);
        }

        var first = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.UserId == userId && k.Key == key, cancellationToken);
        if (first is null)
        {
            // Released between our insert and our read: the first request failed; this one may run.
            return await ClaimAsync(userId, key, fingerprint, cancellationToken);
        }

        if (first.Fingerprint != fingerprint)
        {
            return new IdempotencyClaim(IdempotencyClaimKind.Mismatch);
        }

        if (first is not { CompletedAt: not null, Status: { } status })
        {
            return new IdempotencyClaim(IdempotencyClaimKind.InProgress);
        }

        try
        {
            var body = first.Body is { Length: > 0 } sealedBody ? _bodies.Unprotect(sealedBody) : [];
            return new IdempotencyClaim(IdempotencyClaimKind.Replay, new KeptAnswer(status, first.ContentType, first.Location, first.ETag, body));
        }
        catch (CryptographicException)
        {
            return new IdempotencyClaim(IdempotencyClaimKind.AnswerUnreadable);
        }
    }

    public async Task KeepAsync(Guid userId, string key, KeptAnswer answer, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var now = clock.GetUtcNow();
        await db.IdempotencyKeys.Where(k => k.UserId == userId && k.Key == key && k.CompletedAt == null)
            .ExecuteUpdateAsync(
                set => set.SetProperty(k => k.CompletedAt, now).SetProperty(k => k.Status, answer.Status).SetProperty(k => k.ContentType, answer.ContentType)
                    .SetProperty(k => k.Location, answer.Location).SetProperty(k => k.ETag, answer.ETag).SetProperty(k => k.Body, _bodies.Protect(answer.Body)),
                cancellationToken);
    }

    public async Task ReleaseAsync(Guid userId, string key, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        await db.IdempotencyKeys.Where(k => k.UserId == userId && k.Key == key && k.CompletedAt == null).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var expired = clock.GetUtcNow() - Retention;
        return await db.IdempotencyKeys.Where(k => k.StartedAt < expired).ExecuteDeleteAsync(cancellationToken);
    }

    private TimeSpan Retention => TimeSpan.FromHours(Math.Max(1, options.CurrentValue.IdempotencyHours));
}

/// <summary>Sweeps expired idempotency keys every half hour (every instance may; deleting twice does no harm).</summary>
internal sealed class IdempotencySweep(IIdempotencyStore store, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        do
        {
            try
            {
                await store.SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be down for a moment; the next round sweeps what this one could not.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
