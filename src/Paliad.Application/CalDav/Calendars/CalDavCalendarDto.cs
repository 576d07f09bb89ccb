namespace Paliad.Application.CalDav.Calendars;

public sealed record CalDavCalendarDto(string Href, string? DisplayName, string? Color, bool SupportsEvents);
