using Paliad.Domain.Appointments;
using Paliad.Domain.Projects;

namespace Paliad.Domain.Tests.Appointments;

public sealed class AppointmentEditRightTests
{
    private static readonly Guid Owner = Guid.CreateVersion7();
    private static readonly Guid Other = Guid.CreateVersion7();

    private static Appointment Hearing(Guid? projectId)
        => Appointment.Create(Owner, projectId, new AppointmentDetails("Hearing", null, null, Clock.Now, Clock.Now.AddHours(1), false, "UTC"), Clock.Now);

    [Test]
    public void A_personal_appointment_may_be_edited_by_its_owner_alone_whatever_role_is_passed()
    {
        var personal = Hearing(projectId: null);

        Assert.That(personal.MayBeEditedBy(Owner, null), Is.True);
        Assert.That(personal.MayBeEditedBy(Other, ProjectRole.Owner), Is.False);
    }

    [TestCase(ProjectRole.Owner, true)]
    [TestCase(ProjectRole.Editor, true)]
    [TestCase(ProjectRole.Viewer, false)]
    public void A_project_appointment_may_be_edited_by_the_projects_owners_and_editors(ProjectRole role, bool may)
    {
        Assert.That(Hearing(Guid.CreateVersion7()).MayBeEditedBy(Other, role), Is.EqualTo(may));
    }

    [Test]
    public void Owning_a_project_appointment_gives_no_right_without_a_role_on_its_project()
    {
        Assert.That(Hearing(Guid.CreateVersion7()).MayBeEditedBy(Owner, null), Is.False);
    }
}
