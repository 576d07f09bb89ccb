using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.Common;

public sealed class TextLimitsTests
{
    [TestCase(null, 3, null)]
    [TestCase("", 3, "")]
    [TestCase("abc", 3, "abc")]
    [TestCase("abcd", 3, "abc")]
    public void Text_is_cut_to_the_limit_and_nothing_else_changes(string? value, int max, string? expected)
    {
        Assert.That(TextLimits.Clip(value, max), Is.EqualTo(expected));
    }
}
