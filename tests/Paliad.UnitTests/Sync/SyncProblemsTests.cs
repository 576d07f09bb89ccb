using System.Net;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.UnitTests.Sync;

/// <summary>The plain words a lawyer reads for each way a sync fails, with the technical detail kept beside them.</summary>
public sealed class SyncProblemsTests
{
    public static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData(new CalDavUnauthorizedException("401 on PROPFIND"), "refused the username or password");
        yield return new TestCaseData(new CalDavReconnectNeededException("Google Calendar", "invalid_grant: Token has been expired or revoked."),
            "reconnect your Google Calendar account");
        yield return new TestCaseData(new CalDavForbiddenException("403 on PUT"), "refused Paliad access to this calendar");
        yield return new TestCaseData(new CalDavAddressNotAllowedException("10.0.0.1 is private"), "may not connect to the address");
        yield return new TestCaseData(new CalDavOriginRefusedException("Refused to send a request to http://evil"), "refused to send your password");
        yield return new TestCaseData(new CalDavNotFoundException("404"), "calendar was not found");
        yield return new TestCaseData(new CalDavRateLimitedException("429", HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(5)), "slow down");
        yield return new TestCaseData(new CalDavInvalidResponseException("not XML"), "could not read");
        yield return new TestCaseData(new CalDavServerErrorException("500 Internal Server Error", HttpStatusCode.InternalServerError), "answered with an error");
        yield return new TestCaseData(new CalDavServerErrorException("Connection refused", null), "could not be reached");
        yield return new TestCaseData(new CalDavConflictException("412", HttpStatusCode.PreconditionFailed), "refused a change");
        yield return new TestCaseData(new DomainException("title", "too long"), "could not store");
        yield return new TestCaseData(new CopyBookRefusedException("row gone"), "could not store");
        yield return new TestCaseData(new InvalidOperationException("bug"), "The sync failed.");
    }

    [TestCaseSource(nameof(Failures))]
    public void Each_failure_is_said_plainly_and_its_message_kept_as_the_detail(Exception failure, string said)
    {
        var problem = SyncProblems.Of(failure);

        Assert.That(problem.Said, Does.Contain(said));
        Assert.That(problem.Said, Does.Not.Contain(failure.Message), "the technical words stay in the detail");
        Assert.That(problem.Detail, Is.EqualTo(failure.Message));
    }

    [Test]
    public void One_event_not_synced_is_said_in_the_singular()
    {
        Assert.That(SyncProblems.EventsNotSynced(["x: 412"]).Said, Is.EqualTo("1 event could not be synced."));
    }

    [Test]
    public void A_result_the_database_refused_is_said_plainly_with_its_reason_beside()
    {
        Assert.That(SyncProblems.NotRecorded("23514 ck_x"), Is.EqualTo(new SyncProblem("Paliad could not save what this sync did.", "23514 ck_x")));
    }
}
