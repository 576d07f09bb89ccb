using Microsoft.EntityFrameworkCore;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>What went wrong with a sync: in plain words for the person (what failed), and the technical detail beside
/// it (the request, the server's answer). The page shows the first; the second is for whoever fixes it.</summary>
internal sealed record SyncProblem(string Said, string? Detail);

/// <summary>The plain words for each way a sync can fail.</summary>
internal static class SyncProblems
{
    public static SyncProblem Of(Exception failure) => new(Say(failure), failure.Message);

    public static SyncProblem Deadline(TimeSpan deadline)
        => new($"The sync stopped at its {deadline.TotalSeconds:0} s deadline; what was done is kept.", null);

    public static SyncProblem EventsNotSynced(IReadOnlyList<string> problems)
        => new(problems.Count == 1 ? "1 event could not be synced." : $"{problems.Count} events could not be synced.", string.Join("; ", problems));

    public static SyncProblem NotRecorded(string detail) => new("Paliad could not save what this sync did.", detail);

    private static string Say(Exception failure) => failure switch
    {
        CalDavReconnectNeededException reconnect => $"{reconnect.ProviderName} no longer lets Paliad in: reconnect your {reconnect.ProviderName} account on the settings page.",
        CalDavUnauthorizedException => "Your calendar server refused the username or password: save the account again with the right one.",
        CalDavForbiddenException => "Your calendar server refused Paliad access to this calendar.",
        CalDavAddressNotAllowedException => "Paliad may not connect to the address of your calendar server.",
        CalDavOriginRefusedException => "Paliad refused to send your password to another server than your calendar server.",
        CalDavNotFoundException => "The calendar was not found on your calendar server.",
        CalDavRateLimitedException => "Your calendar server asked Paliad to slow down.",
        CalDavInvalidResponseException => "Your calendar server sent an answer Paliad could not read.",
        CalDavServerErrorException { Status: not null } => "Your calendar server answered with an error.",
        CalDavServerErrorException => "Your calendar server could not be reached.",
        CalDavConflictException => "Your calendar server refused a change.",
        DomainException or DbUpdateException or CopyBookRefusedException => "Paliad could not store what your calendar server sent.",
        _ => "The sync failed.",
    };
}
