namespace Paliad.Domain.Common;

/// <summary>What kind of rule a <see cref="DomainException"/> reports; the API maps Invalid to 400 and Conflict to 409.</summary>
public enum DomainErrorKind
{
    Invalid,
    Conflict,
}

/// <summary>The one exception the domain throws when an invariant would be broken.</summary>
public sealed class DomainException : Exception
{
    public DomainException(string field, string message, DomainErrorKind kind = DomainErrorKind.Invalid)
        : base(message)
    {
        Field = field;
        Kind = kind;
    }

    public DomainException()
        : this(string.Empty, "A domain rule was broken.")
    {
    }

    public DomainException(string message)
        : this(string.Empty, message)
    {
    }

    public DomainException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    /// <summary>The camelCase name of the input the rule is about (empty when it is about the whole request).</summary>
    public string Field { get; }

    public DomainErrorKind Kind { get; }
}
