using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace Paliad.Application;

public static class DependencyInjection
{
    /// <summary>Validators of this assembly; the mediator itself is generated and registered by the host.</summary>
    public static IServiceCollection AddPaliadApplication(this IServiceCollection services)
    {
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonName(member.Name);
        services.AddValidatorsFromAssemblyContaining<ApplicationAssembly>(ServiceLifetime.Scoped, includeInternalTypes: true);
        return services;
    }

    /// <summary>The camelCase name a property has in the JSON, so messages name the field the client sent.</summary>
    public static string JsonName(string propertyName)
        => string.IsNullOrEmpty(propertyName) ? propertyName : char.ToLowerInvariant(propertyName[0]) + propertyName[1..];
}

/// <summary>Marks this assembly for scanning (validators, the mediator's handlers).</summary>
public sealed class ApplicationAssembly;
