using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Targets;

public sealed record TargetDto(
    Guid Id,
    Guid AppointmentId,
    Guid BindingId,
    string Uid,
    string Href,
    string? Etag,
    string? ContentHash,
    DateTimeOffset? LastPushedAt,
    DateTimeOffset? LastPulledAt)
{
    public static TargetDto From(AppointmentTarget t)
        => new(t.Id, t.AppointmentId, t.BindingId, t.CalDavUid, t.CalDavHref, t.CalDavEtag, t.ContentHash, t.LastPushedAt, t.LastPulledAt);
}
