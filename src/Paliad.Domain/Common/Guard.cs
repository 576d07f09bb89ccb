namespace Paliad.Domain.Common;

/// <summary>Small checks the aggregates share; each throws a <see cref="DomainException"/> naming the field.</summary>
internal static class Guard
{
    public static string RequiredText(string? value, int maxLength, string field)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new DomainException(field, $"'{field}' must not be empty.");
        }

        return MaxLength(trimmed, maxLength, field);
    }

    public static string? OptionalText(string? value, int maxLength, string field)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : MaxLength(trimmed, maxLength, field);
    }

    public static string MaxLength(string value, int maxLength, string field)
        => value.Length > maxLength
            ? throw new DomainException(field, $"'{field}' must be at most {maxLength} characters.")
            : value;
}
