using System.Globalization;
using FluentValidation;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.Activity.ListActivity;

public sealed class ListActivityValidator : AbstractValidator<ListActivity>
{
    public ListActivityValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, Paging.MaxLimit).OverridePropertyName("limit");
        RuleFor(q => q.Before)
            .Must(b => b is null || PageCursor.TryDecodeInstant(b, out _, out _) || TryParseInstant(b, out _))
            .WithMessage("'before' must be an ISO 8601 instant with an offset (2026-12-03T10:00:00Z) or a cursor this list gave out.")
            .OverridePropertyName("before");
    }

    /// <summary>An ISO 8601 instant with an offset, as the API writes them.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is { Length: > 0 and <= 64 } && text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}
