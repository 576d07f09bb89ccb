using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Paliad.Api.Json;

/// <summary>Times go out as ISO 8601 in UTC with a <c>Z</c> (DESIGN §6). Coming in they must carry an offset
/// (<c>Z</c> or <c>+01:00</c>): a time without one would silently mean the server's zone.</summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.String && IsoTimes.TryParse(reader.GetString(), out var value)
            ? value
            : throw new JsonException(IsoTimes.Expectation);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}

/// <summary>ISO 8601 times with an explicit offset — in bodies and in query strings alike.</summary>
internal static partial class IsoTimes
{
    public const string Expectation = "Expected an ISO 8601 time with an offset, such as 2026-12-03T09:00:00+01:00 or 2026-12-03T08:00:00Z.";

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && WithOffset().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex WithOffset();
}
