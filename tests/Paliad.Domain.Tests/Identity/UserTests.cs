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

    [Test]
    public void The_refusal_of_a_missing_id_names_the_id()
    {
        var error = Assert.Throws<DomainException>(() => User.Provision(Guid.Empty, "alice@firm.example", null, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("id"));
        Assert.That(error.Message, Does.Contain("id"));
    }

    [Test]
    public void The_refusal_of_a_bad_email_names_the_email()
    {
        var error = Assert.Throws<DomainException>(() => User.Provision(Guid.CreateVersion7(), "alice", null, Clock.Now));

        Assert.That(error!.Field, Is.EqualTo("email"));
        Assert.That(error.Message, Does.Contain("'email'"));
    }

    [Test]
    public void A_given_display_name_is_kept_trimmed()
    {
        var user = User.Provision(Guid.CreateVersion7(), "alice@firm.example", "  Alice Partner ", Clock.Now);

        Assert.That(user.DisplayName, Is.EqualTo("Alice Partner"));
    }

    [Test]
    public void The_display_name_may_be_exactly_the_maximum_length_but_not_longer()
    {
        var longest = new string('n', User.DisplayNameMaxLength);
        var tooLong = new string('n', User.DisplayNameMaxLength + 1);

        Assert.That(User.Provision(Guid.CreateVersion7(), "alice@firm.example", longest, Clock.Now).DisplayName, Is.EqualTo(longest));
        var error = Assert.Throws<DomainException>(() => User.Provision(Guid.CreateVersion7(), "alice@firm.example", tooLong, Clock.Now));
        Assert.That(error!.Field, Is.EqualTo("displayName"));
    }

    [Test]
    public void Provisioning_raises_UserProvisioned_with_the_normalised_email()
    {
        var id = Guid.CreateVersion7();

        var user = User.Provision(id, " Alice@Firm.example", null, Clock.Now);

        Assert.That(user.DomainEvents.Single(), Is.EqualTo(new UserProvisioned(id, "alice@firm.example")));
    }

    [Test]
    public void An_invited_user_gets_a_placeholder_address_made_of_the_id()
    {
        var id = Guid.CreateVersion7();

        var user = User.Invite(id, Clock.Now);

        Assert.That(user.Email, Is.EqualTo(id.ToString("N") + "@users.paliad.invalid"));
    }

    [Test]
    public void Signing_in_replaces_the_placeholder_address_and_the_display_name_derived_from_it()
    {
        var user = User.Invite(Guid.CreateVersion7(), Clock.Now);

        var changed = user.ChangeEmail(" Alice.Partner@Firm.example ");

        Assert.That(changed, Is.True);
        Assert.That((user.Email, user.DisplayName), Is.EqualTo(("alice.partner@firm.example", "alice.partner")));
    }

    [Test]
    public void A_new_address_keeps_the_display_name_of_a_user_who_has_one()
    {
        var user = User.Provision(Guid.CreateVersion7(), "alice@firm.example", "Alice Partner", Clock.Now);

        var changed = user.ChangeEmail("alice@new-firm.example");

        Assert.That(changed, Is.True);
        Assert.That((user.Email, user.DisplayName), Is.EqualTo(("alice@new-firm.example", "Alice Partner")));
    }

    [Test]
    public void The_same_address_in_another_spelling_is_no_change()
    {
        var user = User.Provision(Guid.CreateVersion7(), "alice@firm.example", "Alice Partner", Clock.Now);

        var changed = user.ChangeEmail(" ALICE@Firm.Example ");

        Assert.That(changed, Is.False);
        Assert.That(user.Email, Is.EqualTo("alice@firm.example"));
    }

    [Test]
    public void Releasing_the_address_leaves_the_placeholder_of_the_id()
    {
        var id = Guid.CreateVersion7();
        var user = User.Provision(id, "alice@firm.example", "Alice Partner", Clock.Now);

        user.ReleaseEmail();

        Assert.That(user.Email, Is.EqualTo(User.PlaceholderEmail(id)));
    }

    [Test]
    public void An_email_may_be_exactly_the_maximum_length_but_not_longer()
    {
        const string domain = "@firm.example";
        var longest = new string('a', User.EmailMaxLength - domain.Length) + domain;

        Assert.That(User.IsValidEmail(longest), Is.True);
        Assert.That(User.IsValidEmail("a" + longest), Is.False);
    }

    [Test]
    public void No_email_is_not_a_valid_email()
    {
        Assert.That(User.IsValidEmail(null), Is.False);
    }

    [Test]
    public void A_long_local_part_gives_a_display_name_cut_to_its_limit()
    {
        var local = new string('a', User.DisplayNameMaxLength + 50);

        var user = User.Provision(Guid.CreateVersion7(), local + "@firm.example", null, Clock.Now);

        Assert.That(user.DisplayName, Is.EqualTo(local[..User.DisplayNameMaxLength]));
    }
}
