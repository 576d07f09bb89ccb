namespace Paliad.Domain.Common;

/// <summary>Text that is kept as far as it fits rather than refused: what other parties write (server answers, a
/// phone's edits, error messages) against the limits of the columns that hold it.</summary>
public static class TextLimits
{
    /// <summary><paramref name="value"/> cut to <paramref name="maxLength"/>; null stays null.</summary>
    public static string? Clip(string? value, int maxLength)
        => value is { Length: var length } && length > maxLength ? value[..maxLength] : value;
}
