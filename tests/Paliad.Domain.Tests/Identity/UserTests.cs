using Paliad.Domain.Common;
using Paliad.Domain.Identity;

namespace Paliad.Domain.Tests.Identity;

public sealed class UserTests
{
    [Test]
    public void Provisioning_normalises_the_email_and_derives_a_display_name()
    {
        var user = User.Provision(Guid.CreateVersion7(), "  Alice.Partner@Firm.EXAMPLE ", null, Clock.Now);

        Assert.That(user.Email, Is.EqualTo("alice.partner@firm.example"));
        Assert.That(user.DisplayName, Is.EqualTo("alice.partner"));
    }

    [TestCase("")]
    [TestCase("alice")]
    [TestCase("@firm.example")]
    [TestCase("alice@")]
    [TestCase("a b@firm.example")]
    public void Provisioning_refuses_what_is_not_an_email(string email)
    {
        Assert.Throws<DomainException>(() => User.Provision(Guid.CreateVersion7(), email, null, Clock.Now));
    }

    [Test]
    public void A_user_needs_an_id()
    {
        Assert.Throws<DomainException>(() => User.Provision(Guid.Empty, "alice@firm.example", null, Clock.Now));
    }
}
