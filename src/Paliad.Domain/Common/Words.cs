using System.Collections.Concurrent;
using System.Text;

namespace Paliad.Domain.Common;

/// <summary>
/// The snake_case words an enum is stored and spoken as (BindingScope.AllVisible ↔ "all_visible").
/// One source for the column values, the CHECK constraints, the validators and the JSON.
/// </summary>
public static class Words
{
    private static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => Cache.GetOrAdd(value, static v => ToSnakeCase(v.ToString()));

    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum
        => Enum.GetValues<TEnum>().Select(Of).ToArray();

    public static bool TryParse<TEnum>(string? word, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Of(candidate), word, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static TEnum Parse<TEnum>(string word)
        where TEnum : struct, Enum
        => TryParse<TEnum>(word, out var value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(word), word, $"'{word}' is not a {typeof(TEnum).Name} word.");

    /// <summary>The SQL list of allowed words, for a CHECK constraint: <c>'a', 'b'</c>.</summary>
    public static string SqlList<TEnum>()
        where TEnum : struct, Enum
        => string.Join(", ", All<TEnum>().Select(w => $"'{w}'"));

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
