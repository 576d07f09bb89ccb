namespace Paliad.Application.CalDav;

/// <summary>Which CalDAV server URLs a user may configure (the SSRF guard's check at save time; the client checks
/// the resolved address again at every connect).</summary>
public interface ICalDavServerPolicy
{
    /// <summary>Why this server URL is refused, or null when it is allowed.</summary>
    string? Refusal(string serverUrl);
}
