namespace Paliad.Domain.Projects;

/// <summary>Where a project sits in a patent-litigation practice. Stored as the snake_case word.</summary>
public enum ProjectKind
{
    Client,
    Litigation,
    Patent,
    Case,
}

/// <summary>A member's rights on a project and, by inheritance, on every project below it.</summary>
public enum ProjectRole
{
    Owner,
    Editor,
    Viewer,
}
