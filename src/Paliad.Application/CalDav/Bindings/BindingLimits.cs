namespace Paliad.Application.CalDav.Bindings;

/// <summary>Limits on bindings (configuration section "CalDav").</summary>
public sealed class BindingLimits
{
    public const string Section = "CalDav";

    /// <summary>Bindings one user may hold (each is a calendar Paliad keeps in step, so each costs server requests).</summary>
    public int MaxBindingsPerUser { get; set; } = 50;
}
