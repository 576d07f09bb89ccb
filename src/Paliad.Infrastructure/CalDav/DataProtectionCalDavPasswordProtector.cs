using Microsoft.AspNetCore.DataProtection;
using Paliad.Application.CalDav;

namespace Paliad.Infrastructure.CalDav;

internal sealed class DataProtectionCalDavPasswordProtector(IDataProtectionProvider provider) : ICalDavPasswordProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Paliad.CalDav.Password.v1");

    public string Protect(string password) => _protector.Protect(password);

    public string Unprotect(string protectedPassword) => _protector.Unprotect(protectedPassword);
}
