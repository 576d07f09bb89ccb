namespace Paliad.Domain.CalDav;

/// <summary>Where one copy of an appointment lives on a CalDAV server: enough to delete it without the target row.</summary>
public sealed record RemoteEventLocation(Guid BindingId, string Href, string? Etag);
