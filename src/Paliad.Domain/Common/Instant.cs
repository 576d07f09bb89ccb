namespace Paliad.Domain.Common;

/// <summary>Instants as PostgreSQL stores them: UTC, microsecond precision. Normalising on the way in keeps
/// what the aggregate holds equal to what a reload returns, so content hashes never drift.</summary>
public static class Instant
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TicksPerMicrosecond), TimeSpan.Zero);
    }
}
