using Paliad.Domain.CalDav;

namespace Paliad.Domain.Tests.CalDav;

public sealed class PushPlannerTests
{
    private static AppointmentTarget Copy(string hash, int? version)
        => AppointmentTarget.RecordCreated(Guid.NewGuid(), Guid.NewGuid(), "uid", "/cal/uid.ics", "\"1\"", hash, Clock.Now, version);

    [Test]
    public void An_appointment_without_a_copy_is_created()
    {
        Assert.That(PushPlanner.StepFor(null, "h1", 1), Is.EqualTo(PushStep.Create));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void A_copy_with_other_content_is_updated_whatever_its_version(int version)
    {
        Assert.That(PushPlanner.StepFor(Copy("h1", 1), "h2", version), Is.EqualTo(PushStep.Update));
    }

    [Test]
    public void A_copy_with_the_same_content_at_an_older_version_only_learns_the_version()
    {
        Assert.That(PushPlanner.StepFor(Copy("h1", 1), "h1", 2), Is.EqualTo(PushStep.LearnVersion));
        Assert.That(PushPlanner.StepFor(Copy("h1", null), "h1", 1), Is.EqualTo(PushStep.LearnVersion));
    }

    [Test]
    public void A_current_copy_needs_nothing()
    {
        Assert.That(PushPlanner.StepFor(Copy("h1", 3), "h1", 3), Is.EqualTo(PushStep.Nothing));
    }
}
