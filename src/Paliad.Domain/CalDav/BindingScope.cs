using Paliad.Domain.Projects;

namespace Paliad.Domain.CalDav;

/// <summary>Which appointments a calendar binding carries. Stored and spoken as the snake_case word.</summary>
public enum BindingScope
{
    /// <summary>The user's personal appointments and those of every project the user can see.</summary>
    AllVisible,

    /// <summary>The user's personal appointments only.</summary>
    PersonalOnly,

    /// <summary>Appointments of exactly one project.</summary>
    Project,

    /// <summary>A client and everything below it.</summary>
    Client,

    /// <summary>A litigation and everything below it.</summary>
    Litigation,

    /// <summary>A patent and everything below it.</summary>
    Patent,

    /// <summary>A case and everything below it.</summary>
    Case,
}

public static class BindingScopes
{
    /// <summary>True for the scopes that name a project in scope_id (all but all_visible and personal_only).</summary>
    public static bool NamesProject(this BindingScope scope) => scope is not (BindingScope.AllVisible or BindingScope.PersonalOnly);

    /// <summary>True for the hierarchy scopes, which include the node's descendants.</summary>
    public static bool IncludesDescendants(this BindingScope scope) => RequiredProjectKind(scope) is not null;

    /// <summary>The project kind a hierarchy scope's scope_id must name; null when any (project) or none.</summary>
    public static ProjectKind? RequiredProjectKind(this BindingScope scope) => scope switch
    {
        BindingScope.Client => ProjectKind.Client,
        BindingScope.Litigation => ProjectKind.Litigation,
        BindingScope.Patent => ProjectKind.Patent,
        BindingScope.Case => ProjectKind.Case,
        _ => null,
    };
}

/// <summary>How a binding's last sync went.</summary>
public enum BindingSyncStatus
{
    Pending,
    Ok,
    Error,

    /// <summary>Synced, but the calendar's edits were held back as a mass change until the user decides
    /// (<see cref="CalendarBinding.HeldChanges"/>); Paliad → calendar goes on.</summary>
    Held,
}

/// <summary>What the user decided about a binding's held calendar edits.</summary>
public enum HeldDecision
{
    /// <summary>Take them as ordinary pulled edits.</summary>
    Apply,

    /// <summary>Write Paliad's version back over them (counted as conflicts).</summary>
    Revert,
}
