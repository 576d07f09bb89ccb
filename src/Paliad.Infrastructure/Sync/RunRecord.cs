using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>The calendar, scope and full-scan count a run worked with, as it loaded the binding.</summary>
internal sealed record WorkedOn(string CalendarPath, BindingScope Scope, Guid? ScopeId, int FullScansSeen)
{
    public static WorkedOn Of(CalendarBinding binding) => new(binding.CalendarPath, binding.Scope, binding.ScopeId, binding.FullScansRequested);
}

/// <summary>What one run on a binding leaves on the record (see <see cref="RunRecord.WriteAsync"/>).</summary>
/// <param name="LogEntry">Its sync-log row, if it is worth one.</param>
/// <param name="WriteBinding">Whether the binding's status, backoff, change markers and push mark are written (a tick's
/// outcome; a hook leaves them to the ticks).</param>
/// <param name="LegacyColumns">Whether the Phase F legacy columns are mirrored, and from what.</param>
internal sealed record RunRecordContent(
    CalendarBinding Binding,
    WorkedOn WorkedOn,
    string LeaseToken,
    DateTimeOffset Finished,
    SyncLogEntry? LogEntry,
    bool WriteBinding,
    LegacyMirror? LegacyColumns);

/// <summary>Which appointments' legacy columns a tick mirrors: all of the binding's copies, or (when it did not look at
/// the whole scope) only the owner's appointments changed since <paramref name="ChangedSince"/> and those it
/// <paramref name="Touched"/>.</summary>
internal sealed record LegacyMirror(DateTimeOffset? ChangedSince, Guid[] Touched);

/// <summary>
/// What a run leaves on the record, written in one round trip (one batch, one implicit transaction): its sync-log row,
/// the binding's status, backoff, change markers and push mark, the lease given back, the account's roll-up, and the
/// Phase F legacy columns. The binding row is written only if no PATCH moved it to another calendar or scope meanwhile
/// (that PATCH left it pending for its own reconcile), and its push mark only if no full scan was asked for meanwhile.
/// The user's decision about held edits is the user's to write: a decision taken during a tick stands, unless the tick
/// leaves nothing held (then no decision may linger to wave through a later mass change unseen).
/// </summary>
internal static class RunRecord
{
    public static async Task WriteAsync(PaliadDbContext db, RunRecordContent record)
    {
        var (binding, workedOn, leaseToken, finished, entry, writeBinding, legacy) = record;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            if (entry is not null)
            {
                batch.BatchCommands.Add(Command(
                    """
                    INSERT INTO paliad.caldav_sync_log (id, user_id, binding_id, started_at, finished_at, status, pushed, updated, deleted, pulled, conflicts, restored,
                        error, error_detail)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                    """,
                    entry.Id, entry.UserId, entry.BindingId, entry.StartedAt, entry.FinishedAt, Words.Of(entry.Status), entry.Counts.Pushed, entry.Counts.Updated,
                    entry.Counts.Deleted, entry.Counts.Pulled, entry.Counts.Conflicts, entry.Counts.Restored, Text(entry.Error), Text(entry.ErrorDetail)));
            }

            if (writeBinding)
            {
                batch.BatchCommands.Add(Command(
                    """
                    UPDATE paliad.calendar_bindings SET sync_status = $2, last_sync_error = $3, last_sync_at = $4, consecutive_failures = $5,
                        next_attempt_at = $6, sync_token = $7, ctag = $8, ticks_since_full_reconcile = $9,
                        pushed_through = CASE WHEN full_scans_requested = $10 THEN $11 ELSE pushed_through END, held_changes = $15,
                        held_decision = CASE WHEN $15 = 0 THEN NULL ELSE held_decision END, last_sync_error_detail = $16
                    WHERE id = $1 AND calendar_path = $12 AND scope = $13 AND scope_id IS NOT DISTINCT FROM $14
                    """,
                    binding.Id, Words.Of(binding.SyncStatus), Text(binding.LastSyncError), binding.LastSyncAt, binding.ConsecutiveFailures,
                    binding.NextAttemptAt, Text(binding.SyncToken), Text(binding.Ctag), binding.TicksSinceFullReconcile, workedOn.FullScansSeen,
                    binding.PushedThrough, workedOn.CalendarPath, Words.Of(workedOn.Scope), workedOn.ScopeId, binding.HeldChanges, Text(binding.LastSyncErrorDetail)));

                // The account shows the worst of its bindings: the first binding in error, else none.
                batch.BatchCommands.Add(Command(
                    """
                    UPDATE paliad.user_caldav_config c SET last_sync_at = $2, last_sync_error = (
                        SELECT b.calendar_path || ': ' || coalesce(b.last_sync_error, '') FROM paliad.calendar_bindings b
                        WHERE b.user_id = c.user_id AND b.enabled AND b.sync_status = $3
                        ORDER BY b.calendar_path LIMIT 1)
                    WHERE c.user_id = $1
                    """,
                    binding.UserId, Instant.Normalize(finished), Words.Of(BindingSyncStatus.Error)));
            }

            batch.BatchCommands.Add(Command(
                "UPDATE paliad.calendar_bindings SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2",
                binding.Id, leaseToken));
            if (legacy is not null)
            {
                batch.BatchCommands.Add(LegacyMirrorCommand(binding.Id, legacy));
            }

            await batch.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Phase F back-compat: appointments.caldav_uid/caldav_etag mirror the all_visible binding's copies — the
    /// owner's only, as members' all_visible bindings hold the same shared appointments. Also after a tick that did
    /// nothing itself: hooks push without mirroring, the tick catches up — unless it looked at the whole scope, only
    /// appointments changed since the mark (what hooks push) and those it touched, from the (owner, updated_at) index and
    /// the ids, whatever the planner thinks.</summary>
    private static NpgsqlBatchCommand LegacyMirrorCommand(Guid bindingId, LegacyMirror legacy)
    {
        const string Mirror = """
            UPDATE paliad.appointments a SET caldav_uid = t.caldav_uid, caldav_etag = t.caldav_etag
            FROM paliad.appointment_targets t JOIN paliad.calendar_bindings b ON b.id = t.binding_id
            WHERE t.binding_id = $1 AND b.scope = $2 AND t.appointment_id = a.id AND a.owner_id = b.user_id
              AND (a.caldav_uid IS DISTINCT FROM t.caldav_uid OR a.caldav_etag IS DISTINCT FROM t.caldav_etag)
            """;
        const string MirrorChanged = """
            WITH changed AS MATERIALIZED (
                SELECT a.id FROM paliad.calendar_bindings b JOIN paliad.appointments a ON a.owner_id = b.user_id
                WHERE b.id = $1 AND a.updated_at >= $3
                UNION SELECT unnest($4::uuid[]))
            UPDATE paliad.appointments a SET caldav_uid = t.caldav_uid, caldav_etag = t.caldav_etag
            FROM changed c JOIN paliad.appointment_targets t ON t.appointment_id = c.id AND t.binding_id = $1
                JOIN paliad.calendar_bindings b ON b.id = t.binding_id
            WHERE a.id = c.id AND b.scope = $2 AND a.owner_id = b.user_id
              AND (a.caldav_uid IS DISTINCT FROM t.caldav_uid OR a.caldav_etag IS DISTINCT FROM t.caldav_etag)
            """;
        var allVisible = Words.Of(BindingScope.AllVisible);
        return legacy.ChangedSince is { } since
            ? Command(MirrorChanged, bindingId, allVisible, since, legacy.Touched)
            : Command(Mirror, bindingId, allVisible);
    }

    /// <summary>Text parameters are typed, so a null is a null text (not an untyped value PostgreSQL must guess).</summary>
    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                NpgsqlParameter parameter => parameter,
                DateTimeOffset instant => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = instant.ToUniversalTime() },
                null => new NpgsqlParameter { Value = DBNull.Value },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }
}
