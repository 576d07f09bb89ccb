namespace Paliad.Application.Common;

/// <summary>A PATCH field: absent (leave as is, the default) or present with a value, which may be null (clear it).</summary>
public readonly record struct PatchField<T>(bool IsSet, T Value)
{
    public T Or(T current) => IsSet ? Value : current;
}

public static class PatchField
{
    public static PatchField<T> Of<T>(T value) => new(true, value);
}
