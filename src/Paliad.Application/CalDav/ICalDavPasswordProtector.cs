namespace Paliad.Application.CalDav;

/// <summary>Encrypts CalDAV passwords at rest (ASP.NET Core Data Protection, keys in the database).</summary>
public interface ICalDavPasswordProtector
{
    string Protect(string password);

    string Unprotect(string protectedPassword);
}
