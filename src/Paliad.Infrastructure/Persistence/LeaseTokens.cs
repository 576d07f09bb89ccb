namespace Paliad.Infrastructure.Persistence;

/// <summary>Lease tokens for work claimed in the database (bindings, outbox messages): the claimer's instance plus a
/// claim id, so two claims — even in one process — never share a token.</summary>
internal static class LeaseTokens
{
    public static string New(string instanceId) => $"{instanceId}/{Guid.NewGuid():N}";
}
