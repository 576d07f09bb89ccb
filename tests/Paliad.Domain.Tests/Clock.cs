namespace Paliad.Domain.Tests;

internal static class Clock
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);
}
