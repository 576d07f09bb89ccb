using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Sync;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.UnitTests.Sync;

/// <summary>One binding's tick on an in-memory calendar and copy book: no database, no server.</summary>
internal sealed class PhaseRig
{
    public static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    public PhaseRig(BindingScope scope = BindingScope.AllVisible, Guid? scopeId = null)
    {
        Binding = CalendarBinding.Create(User, "/cal/user/work/", "Work", scope, scopeId, enabled: true, Now);
        Binding.DequeueDomainEvents();
        Calendar = new InMemoryCalendar(Binding.CalendarPath);
        Book = new InMemoryCopyBook(Binding);
    }

    public static Guid User { get; } = Guid.CreateVersion7();

    public CalendarBinding Binding { get; }

    public InMemoryCalendar Calendar { get; }

    public InMemoryCopyBook Book { get; }

    public SyncOptions Options { get; } = new();

    /// <summary>A personal appointment of the binding's user, carried by the binding.</summary>
    public Appointment Personal(string title = "Hearing", Guid? projectId = null, Guid? owner = null)
    {
        var appointment = Appointment.Create(owner ?? User, projectId, new AppointmentDetails(
            title, "Notes", "Saal 1", Now.AddDays(7), Now.AddDays(7).AddHours(1), false, "Europe/Berlin"), Now);
        appointment.DequeueDomainEvents();
        Book.Carried.Add(appointment);
        return appointment;
    }

    public BindingTick NewTick(int pushConcurrency = 4)
        => new(Binding, Calendar, Book, new TickSettings(TimeProvider.System, Options, new SyncMetrics(new Meters()), pushConcurrency),
            NullLogger.Instance, () => Task.CompletedTask);

    /// <summary>A whole tick, as the engine runs one on a binding whose scope is looked at whole.</summary>
    public async Task<BindingTick> TickAsync(PushDetection detection = PushDetection.WholeScope)
    {
        var tick = NewTick();
        await tick.RunAsync(detection, CancellationToken.None);
        return tick;
    }

    /// <summary>The event text on the server for the appointment's copy.</summary>
    public string EventOf(Appointment appointment) => Calendar.Events[Book.CopyOf(appointment).CalDavHref].ICalendar;

    /// <summary>A phone rewrites the appointment's event with <paramref name="edit"/> applied to its text.</summary>
    public string PhoneEdits(Appointment appointment, Func<string, string> edit)
        => Calendar.PhoneWrites(Book.CopyOf(appointment).CalDavHref, edit(EventOf(appointment)));

    public static string Summary(string ics) => ICalendarMapper.TryParse(ics, "UTC", out var e, out _) ? e!.Title ?? string.Empty : "(unreadable)";

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
