namespace Paliad.Domain.Projects;

/// <summary>What a project role allows — the one place the owner/editor rule is written.</summary>
public static class ProjectRoles
{
    /// <summary>Owners and editors may create and change a project's appointments and share it; viewers only see.</summary>
    public static bool CanEdit(this ProjectRole role) => role is ProjectRole.Owner or ProjectRole.Editor;
}
