using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Paliad.Domain.Common;

namespace Paliad.Infrastructure.Persistence.Configurations;

/// <summary>Stores an enum as its snake_case word, the same word the CHECK constraint and the JSON use.</summary>
internal sealed class WordConverter<TEnum>() : ValueConverter<TEnum, string>(v => Words.Of(v), w => Words.Parse<TEnum>(w))
    where TEnum : struct, Enum
{
    public const int MaxLength = 32;
}
