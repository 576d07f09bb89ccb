namespace Paliad.Application.Feeds;

/// <summary>Configuration section "Feeds" (DESIGN §12).</summary>
public sealed class FeedOptions
{
    public const string Section = "Feeds";

    /// <summary>Feeds one user may hold.</summary>
    public int MaxPerUser { get; set; } = 20;

    /// <summary>How far back a feed reaches (appointments that ended earlier are left out).</summary>
    public int PastDays { get; set; } = 90;

    /// <summary>How far ahead a feed reaches (appointments that start later are left out).</summary>
    public int FutureDays { get; set; } = 730;
}
