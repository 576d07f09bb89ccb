using System.Net;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Sync;

namespace Paliad.UnitTests.Sync;

/// <summary>How a finished run is judged: its status, the binding's status and backoff, and the words for the person.</summary>
public sealed class TickVerdictTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly SyncCounts Some = SyncCounts.None with { Pushed = 3 };

    [Test]
    public void A_run_without_trouble_is_ok_and_says_nothing()
    {
        var verdict = TickVerdict.Of(null, deadlineHit: false, Deadline, [], Some);

        Assert.That(verdict, Is.EqualTo(new TickVerdict(SyncLogStatus.Ok, BindingSyncStatus.Ok, false, null, null)));
    }

    [Test]
    public void Events_that_could_not_be_synced_make_it_partial_and_the_binding_an_error_without_backoff()
    {
        var verdict = TickVerdict.Of(null, false, Deadline, ["a: 412", "b: 403"], Some);

        Assert.That((verdict.Status, verdict.BindingStatus, verdict.RetryLater), Is.EqualTo((SyncLogStatus.Partial, BindingSyncStatus.Error, false)));
        Assert.That(verdict.Problem, Is.EqualTo(new SyncProblem("2 events could not be synced.", "a: 412; b: 403")));
    }

    [Test]
    public void A_deadline_after_progress_leaves_the_binding_pending_to_go_on_at_once()
    {
        var verdict = TickVerdict.Of(null, deadlineHit: true, Deadline, [], Some);

        Assert.That((verdict.Status, verdict.BindingStatus, verdict.RetryLater), Is.EqualTo((SyncLogStatus.Partial, BindingSyncStatus.Pending, false)));
        Assert.That(verdict.Problem!.Said, Does.Contain("120 s deadline"));
    }

    [Test]
    public void A_deadline_without_progress_backs_off()
    {
        var verdict = TickVerdict.Of(null, deadlineHit: true, Deadline, [], SyncCounts.None);

        Assert.That((verdict.BindingStatus, verdict.RetryLater), Is.EqualTo((BindingSyncStatus.Error, true)));
    }

    [Test]
    public void A_failure_is_an_error_that_backs_off_and_keeps_the_servers_words_as_detail()
    {
        var failure = new CalDavServerErrorException("PROPFIND /lena/court/: Connection refused (127.0.0.1:5232)", null);

        var verdict = TickVerdict.Of(failure, deadlineHit: true, Deadline, ["a: 412"], Some);

        Assert.That((verdict.Status, verdict.BindingStatus, verdict.RetryLater), Is.EqualTo((SyncLogStatus.Error, BindingSyncStatus.Error, true)));
        Assert.That(verdict.Problem, Is.EqualTo(new SyncProblem("Your calendar server could not be reached.", failure.Message)));
        Assert.That(verdict.ServerAskedToWait, Is.Null);
    }

    [Test]
    public void A_server_that_asks_to_wait_is_waited_for()
    {
        var verdict = TickVerdict.Of(new CalDavRateLimitedException("429", HttpStatusCode.TooManyRequests, TimeSpan.FromMinutes(7)), false, Deadline, [], Some);

        Assert.That(verdict.ServerAskedToWait, Is.EqualTo(TimeSpan.FromMinutes(7)));
        Assert.That(verdict.Problem!.Said, Is.EqualTo("Your calendar server asked Paliad to slow down."));
    }
}
