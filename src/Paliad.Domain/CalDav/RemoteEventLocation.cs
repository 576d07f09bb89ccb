namespace Paliad.Domain.CalDav;

/// <summary>Where one copy of an appointment lives: which binding (and whose account) holds it, at which href, with
/// which ETag — enough to delete it after the target row is gone.</summary>
public sealed record RemoteEventLocation(Guid BindingId, Guid UserId, string Href, string? Etag);
