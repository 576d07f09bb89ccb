using System.Text.Json;
using System.Text.Json.Serialization;
using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Persistence.Outbox;

/// <summary>
/// A domain event waiting to be published, written in the same transaction as the change that raised it.
/// A worker claims it with a lease (FOR UPDATE SKIP LOCKED), publishes it through the mediator and records the
/// outcome: processed, or a failed attempt with the next try after a backoff, or dead after too many attempts.
/// </summary>
public sealed class OutboxMessage
{
    public const int TypeMaxLength = 200;
    public const int ErrorMaxLength = 4000;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private OutboxMessage()
    {
        Type = string.Empty;
        Payload = string.Empty;
    }

    public Guid Id { get; private set; }

    /// <summary>The event's type name (see <see cref="DomainEventTypes"/>).</summary>
    public string Type { get; private set; }

    public string Payload { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public DateTimeOffset? ProcessedAt { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>Set when the message gave up (too many attempts, or an unknown type); it stays for inspection.</summary>
    public DateTimeOffset? DeadAt { get; private set; }

    /// <summary>Set when retrying cannot help until a user fixes their account (a removal refused with 401/403 or an
    /// address the guard refuses): the message waits, unclaimed, until that account's credentials or URL change.</summary>
    public DateTimeOffset? ParkedAt { get; private set; }

    /// <summary>The user whose account change releases a parked message.</summary>
    public Guid? ParkedForUserId { get; private set; }

    /// <summary>The lane the message runs in (<see cref="IDomainEvent.Lane"/>: the user it concerns): at most
    /// one message of a lane is in flight, and claims take lanes in turn.</summary>
    public Guid Lane { get; private set; }

    public static OutboxMessage From(IDomainEvent domainEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(domainEvent);
        var id = Guid.CreateVersion7();
        return new OutboxMessage
        {
            Id = id,
            Lane = domainEvent.Lane,
            Type = DomainEventTypes.NameOf(domainEvent.GetType()),
            Payload = JsonSerializer.Serialize(domainEvent, domainEvent.GetType(), Json),
            OccurredAt = Instant.Normalize(now),
            NextAttemptAt = Instant.Normalize(now),
        };
    }

    public IDomainEvent? ToEvent()
        => DomainEventTypes.Find(Type) is { } type ? (IDomainEvent?)JsonSerializer.Deserialize(Payload, type, Json) : null;

    public void MarkProcessed(DateTimeOffset now)
    {
        ProcessedAt = Instant.Normalize(now);
        LastError = null;
    }

    /// <summary>Records a failed attempt; the next one waits an exponential backoff, or the message dies.</summary>
    public void MarkFailed(string error, DateTimeOffset now, int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        Attempts++;
        LastError = TextLimits.Clip(error, ErrorMaxLength);
        if (Attempts >= maxAttempts)
        {
            DeadAt = Instant.Normalize(now);
            return;
        }

        var delay = TimeSpan.FromTicks(Math.Min(maxDelay.Ticks, baseDelay.Ticks * (1L << Math.Min(Attempts - 1, 20))));
        var jitter = TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));
        NextAttemptAt = Instant.Normalize(now + delay + jitter);
    }

    /// <summary>Parks the message until <paramref name="userId"/>'s account changes (see <see cref="ParkedAt"/>).</summary>
    public void MarkParked(string error, Guid userId, DateTimeOffset now)
    {
        Attempts++;
        LastError = TextLimits.Clip(error, ErrorMaxLength);
        ParkedAt = Instant.Normalize(now);
        ParkedForUserId = userId;
    }

    /// <summary>An operator's retry: a dead or parked message is due again now, with a fresh set of attempts (its
    /// last error stays until the next attempt replaces it). A processed message is left alone.</summary>
    public bool Revive(DateTimeOffset now)
    {
        if (ProcessedAt is not null)
        {
            return false;
        }

        DeadAt = null;
        ParkedAt = null;
        ParkedForUserId = null;
        Attempts = 0;
        NextAttemptAt = Instant.Normalize(now);
        return true;
    }

    public void MarkDead(string error, DateTimeOffset now)
    {
        LastError = TextLimits.Clip(error, ErrorMaxLength);
        DeadAt = Instant.Normalize(now);
    }
}

/// <summary>Every concrete domain event type, by name: what the outbox stores and reads back.</summary>
public static class DomainEventTypes
{
    private static readonly Dictionary<string, Type> ByName = typeof(IDomainEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t))
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static string NameOf(Type type)
        => ByName.TryGetValue(type.Name, out var known) && known == type ? type.Name : throw new ArgumentException($"{type} is not a domain event type.", nameof(type));

    public static Type? Find(string name) => ByName.GetValueOrDefault(name);
}
