using System.Diagnostics.Metrics;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>The outbox's instruments (meter "Paliad.Outbox").</summary>
public sealed class OutboxMetrics
{
    public const string MeterName = "Paliad.Outbox";

    public OutboxMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Lag = meters.Create(MeterName).CreateHistogram<double>("paliad.outbox.lag", "s", "Time from a change's commit to its event being handled");
    }

    public Histogram<double> Lag { get; }
}
