namespace Paliad.Api.Errors;

/// <summary>Which request field a database constraint is about, so a backstop 400/409 still names the field.</summary>
internal static class DatabaseConstraints
{
    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal)
    {
        ["ck_users_email_has_at"] = "email",
        ["ix_users_email"] = "email",
        ["ck_projects_kind"] = "kind",
        ["ck_projects_client_is_root"] = "parentId",
        ["ck_projects_name_not_blank"] = "name",
        ["ck_project_members_role"] = "role",
        ["ck_appointments_title_length"] = "title",
        ["ck_appointments_ends_not_before_starts"] = "endsAt",
        ["ck_appointments_time_zone_not_blank"] = "timeZone",
        ["ck_user_caldav_config_server_url_http"] = "serverUrl",
        ["ck_user_caldav_config_sync_interval"] = "syncIntervalMinutes",
        ["ck_calendar_bindings_scope"] = "scope",
        ["ck_calendar_bindings_scope_id"] = "scopeId",
        ["ck_calendar_bindings_sync_status"] = "syncStatus",
        ["ck_calendar_bindings_calendar_path_not_blank"] = "calendarPath",
        ["ix_calendar_bindings_user_id_calendar_path"] = "calendarPath",
        ["fk_calendar_bindings_projects_scope_id"] = "scopeId",
        ["fk_appointments_projects_project_id"] = "projectId",
    };

    public static string? FieldOf(string? constraint) => constraint is not null && Fields.TryGetValue(constraint, out var field) ? field : null;
}
