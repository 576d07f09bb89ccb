using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Sync;

namespace Paliad.Bench;

/// <summary>
/// The fleet round: many users, each with two bindings over a thousand appointments, seeded straight in SQL as already
/// in sync (targets at the appointments' versions, change markers equal to the server's, push marks set), then one
/// round of every binding's due no-change tick by two engine instances sharing the database.
/// </summary>
internal static class Fleet
{
    public sealed record Round(int Users, int Bindings, long Targets, double SeedSeconds, double RoundSeconds, int Ticked, int TickedTwice, int NotOk);

    /// <summary>Seeds the fleet: users, accounts (the bench user's encrypted password copied, the key ring is shared),
    /// one empty Radicale collection per binding, appointments and targets.</summary>
    public static async Task<Round> RunAsync(
        IServiceProvider services, CalDavClient caldav, string home, Uri server, Guid templateUser, int users, int appointmentsEach, Func<SyncEngine[]> engines)
    {
        var seed = Stopwatch.StartNew();
        var calendars = Enumerable.Range(0, users * 2).Select(i => $"{home}fleet-{i}/").ToList();
        var states = new CollectionState[calendars.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, calendars.Count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            // Set-up, not measured: a Radicale busy creating thousands of collections drops a connection now and then.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    try
                    {
                        await caldav.MakeCalendarAsync(calendars[i], $"fleet {i}", ct);
                    }
                    catch (CalDavConflictException)
                    {
                        // made by an earlier attempt
                    }

                    states[i] = await caldav.GetCollectionStateAsync(calendars[i], ChangeMarkers.SyncToken, ct);
                    return;
                }
                catch (CalDavServerErrorException) when (attempt < 5)
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
                }
            }
        });

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            var paths = calendars.ToArray();
            var tokens = states.Select(s => s.SyncToken).ToArray();
            var url = server.ToString();
            await db.Database.ExecuteSqlAsync($"""
                CREATE TEMP TABLE fleet_users ON COMMIT DROP AS
                    SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, {users} - 1) g;
                INSERT INTO paliad.users (id, email, display_name, created_at)
                    SELECT id, 'fleet-' || n || '@firm.example', 'Fleet ' || n, now() FROM fleet_users;
                INSERT INTO paliad.user_caldav_config (user_id, server_url, username, password, calendar_path, sync_enabled,
                        sync_interval_minutes, created_at, updated_at)
                    SELECT u.id, {url}, c.username, c.password, ({paths})[u.n * 2 + 1], true, 15, now(), now()
                    FROM fleet_users u CROSS JOIN paliad.user_caldav_config c WHERE c.user_id = {templateUser};
                INSERT INTO paliad.calendar_bindings (id, user_id, calendar_path, display_name, scope, scope_id, enabled, sync_status,
                        last_sync_at, created_at, updated_at, sync_token, ctag, ticks_since_full_reconcile, consecutive_failures,
                        pushed_through, full_scans_requested)
                    SELECT gen_random_uuid(), u.id, ({paths})[u.n * 2 + k], NULL, CASE k WHEN 1 THEN 'all_visible' ELSE 'personal_only' END,
                        NULL, true, 'ok', now() - interval '1 day', now(), now(), ({tokens})[u.n * 2 + k], NULL, 0, 0,
                        now(), 0
                    FROM fleet_users u CROSS JOIN generate_series(1, 2) k;
                INSERT INTO paliad.appointments (id, owner_id, project_id, title, description, location, starts_at, ends_at, all_day,
                        time_zone, created_at, updated_at, version)
                    SELECT gen_random_uuid(), u.id, NULL, 'Hearing ' || k, 'Bring the claim charts', 'LG Düsseldorf',
                        timestamptz '2027-01-04 08:00Z' + k * interval '5 hours', timestamptz '2027-01-04 09:00Z' + k * interval '5 hours',
                        false, 'Europe/Berlin', now() - interval '2 days', now() - interval '1 day', 1
                    FROM fleet_users u CROSS JOIN generate_series(1, {appointmentsEach}) k;
                INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href, caldav_etag, content_hash,
                        last_pushed_at, synced_version)
                    SELECT gen_random_uuid(), a.id, b.id, a.id::text, b.calendar_path || a.id || '.ics', '"seeded"', 'seeded',
                        now() - interval '1 day', 1
                    FROM fleet_users u JOIN paliad.appointments a ON a.owner_id = u.id JOIN paliad.calendar_bindings b ON b.user_id = u.id;
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        }

        var seedSeconds = seed.Elapsed.TotalSeconds;
        long targets;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
            targets = await db.AppointmentTargets.LongCountAsync(t => t.CalDavEtag == "\"seeded\"");
        }

        // One round: both instances claim due bindings until none is due.
        var round = Stopwatch.StartNew();
        var results = await Task.WhenAll(engines().Select(async engine =>
        {
            var mine = new List<BindingSyncResult>();
            while (true)
            {
                var batch = await engine.RunTickAsync();
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch);
            }
        }));
        var roundSeconds = round.Elapsed.TotalSeconds;
        var all = results.SelectMany(r => r).ToList();
        var fleetPaths = calendars.ToHashSet(StringComparer.Ordinal);
        var fleet = all.Where(r => fleetPaths.Contains(r.CalendarPath)).ToList();
        return new Round(users, calendars.Count, targets, seedSeconds, roundSeconds,
            fleet.Select(r => r.BindingId).Distinct().Count(),
            fleet.GroupBy(r => r.BindingId).Count(g => g.Count() > 1),
            fleet.Count(r => r.Status != SyncRunStatus.Ok));
    }
}

/// <summary>Rows of Paliad's tables the database read (by sequential scans and fetched through indexes) while
/// something ran. The server counts them per connection and publishes the counts when a connection closes, so the
/// pool is emptied before and after.</summary>
internal static class RowsRead
{
    public static async Task<(T Result, long Rows, string ByTable)> MeasureAsync<T>(string connectionString, Func<Task<T>> work)
    {
        var before = await ReadAsync(connectionString);
        var result = await work();
        var after = await ReadAsync(connectionString);
        var deltas = after.Select(t => (Table: t.Key, Rows: t.Value - before.GetValueOrDefault(t.Key))).Where(t => t.Rows > 0).OrderByDescending(t => t.Rows).ToList();
        return (result, deltas.Sum(t => t.Rows), string.Join(", ", deltas.Select(t => $"{t.Table} {t.Rows:N0}")));
    }

    private static async Task<Dictionary<string, long>> ReadAsync(string connectionString)
    {
        // Backends publish their counts on exit, and at most once a second otherwise: close them all and give them
        // time to go (a busy machine makes that slow).
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_stat_clear_snapshot();
            SELECT relname, (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::bigint FROM pg_stat_user_tables WHERE schemaname = 'paliad'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = reader.GetInt64(1);
        }

        return rows;
    }
}
