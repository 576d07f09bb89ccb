using System.Diagnostics;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Sync;

/// <summary>The engine's traces (activity source "Paliad.Sync"): a span per tick and per hook on one binding, whose
/// children are the CalDAV requests and SQL commands it made (HttpClient and Npgsql instrumentation).</summary>
public static class SyncTelemetry
{
    public const string SourceName = "Paliad.Sync";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartTick(Guid bindingId) => Start("paliad.sync.tick", bindingId);

    public static Activity? StartHook(Guid bindingId) => Start("paliad.sync.hook", bindingId);

    /// <summary>What a tick or hook ended with, as the span's attributes and status.</summary>
    public static void Describe(Activity? activity, BindingSyncResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("paliad.calendar.path", result.CalendarPath);
        activity.SetTag("paliad.sync.status", Words.Of(result.Status));
        Counts(activity, result.Counts);
        activity.SetStatus(result.ErrorDetail is null && result.Error is null ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.ErrorDetail ?? result.Error);
    }

    private static Activity? Start(string name, Guid bindingId)
    {
        var activity = Source.StartActivity(name, System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("paliad.binding.id", bindingId.ToString());
        return activity;
    }

    private static void Counts(Activity activity, SyncCounts counts)
    {
        activity.SetTag("paliad.sync.pushed", counts.Pushed);
        activity.SetTag("paliad.sync.updated", counts.Updated);
        activity.SetTag("paliad.sync.deleted", counts.Deleted);
        activity.SetTag("paliad.sync.pulled", counts.Pulled);
        activity.SetTag("paliad.sync.conflicts", counts.Conflicts);
        activity.SetTag("paliad.sync.restored", counts.Restored);
    }
}
