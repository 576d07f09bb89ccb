using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.Common;

public sealed class DomainExceptionTests
{
    [Test]
    public void A_rule_about_one_field_names_it_and_is_invalid_input_by_default()
    {
        var error = new DomainException("title", "'title' must not be empty.");

        Assert.That((error.Field, error.Kind, error.Message), Is.EqualTo(("title", DomainErrorKind.Invalid, "'title' must not be empty.")));
    }

    [Test]
    public void A_rule_about_the_whole_request_names_no_field()
    {
        var error = new DomainException("The request breaks a rule.");

        Assert.That((error.Field, error.Kind), Is.EqualTo((string.Empty, DomainErrorKind.Invalid)));
    }

    [Test]
    public void An_exception_without_a_message_still_explains_itself()
    {
        var error = new DomainException();

        Assert.That(error.Message, Is.Not.Empty);
        Assert.That(error.Field, Is.Empty);
    }

    [Test]
    public void A_wrapping_exception_keeps_its_cause_and_names_no_field()
    {
        var cause = new InvalidOperationException("inner");

        var error = new DomainException("The request breaks a rule.", cause);

        Assert.That(error.InnerException, Is.SameAs(cause));
        Assert.That(error.Field, Is.Empty);
    }
}
