using System.Buffers.Text;
using System.Globalization;
using System.Text;
using FluentValidation;

namespace Paliad.Application.Common;

/// <summary>Bounded lists: <c>?limit=</c> (default <see cref="DefaultLimit"/>, at most <see cref="MaxLimit"/>) and
/// an opaque <c>?after=</c> cursor that continues where a page ended (keyset, so a page is one index range, however
/// deep).</summary>
public static class Paging
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 2000;

    public static int Take(int? limit) => limit ?? DefaultLimit;

    /// <summary>The page of at most <paramref name="limit"/> rows out of the <paramref name="limit"/> + 1 that were
    /// read, with the cursor of its last row when more exist.</summary>
    public static Page<TRow> Cut<TRow>(List<TRow> rows, int limit, Func<TRow, PageCursor> cursorOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cursorOf);
        if (rows.Count <= limit)
        {
            return new Page<TRow>(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return new Page<TRow>(rows, cursorOf(rows[^1]).Encode());
    }

    /// <summary>The <c>limit</c> and <c>after</c> rules of a paged query (<paramref name="instantKeyed"/>: its cursor
    /// holds an instant).</summary>
    public static void AddRules<T>(AbstractValidator<T> validator, Func<T, int?> limit, Func<T, string?> after, bool instantKeyed)
    {
        ArgumentNullException.ThrowIfNull(validator);
        validator.RuleFor(q => limit(q)).InclusiveBetween(1, MaxLimit).OverridePropertyName("limit");
        validator.RuleFor(q => after(q))
            .Must(a => a is null || (instantKeyed ? PageCursor.TryDecodeInstant(a, out _, out _) : PageCursor.TryDecode(a, out _)))
            .WithMessage("'after' is not a cursor this list gave out.").OverridePropertyName("after");
    }
}

/// <summary>One page and, when more exist, the cursor of the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    public Page<TOut> Map<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), Next);
}

/// <summary>Where a page ended: the sort key of its last row (as text) and that row's id (the tie-breaker).</summary>
public readonly record struct PageCursor(string Key, Guid Id)
{
    public static PageCursor At(DateTimeOffset key, Guid id) => new(key.UtcTicks.ToString(CultureInfo.InvariantCulture), id);

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Id:N}{Key}"));

    public static bool TryDecode(string? text, out PageCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 4096)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            if (decoded.Length < 32 || !Guid.TryParseExact(decoded[..32], "N", out var id))
            {
                return false;
            }

            cursor = new PageCursor(decoded[32..], id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The cursor of an instant-keyed list; false when the key is not an instant.</summary>
    public static bool TryDecodeInstant(string? text, out DateTimeOffset key, out Guid id)
    {
        key = default;
        id = default;
        if (!TryDecode(text, out var cursor) || !long.TryParse(cursor.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        key = new DateTimeOffset(ticks, TimeSpan.Zero);
        id = cursor.Id;
        return true;
    }
}
