using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

public sealed class SyncLogEntryTests
{
    [Test]
    public void A_tick_cannot_finish_before_it_started()
    {
        var error = Assert.Throws<DomainException>(() => SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now.AddSeconds(-1), SyncLogStatus.Ok, SyncCounts.None, null));

        Assert.That(error!.Field, Is.EqualTo("finishedAt"));
        Assert.That(error.Message, Is.Not.Empty);
    }

    [TestCase(-1, 0, 0, 0, 0, 0)]
    [TestCase(0, -1, 0, 0, 0, 0)]
    [TestCase(0, 0, -1, 0, 0, 0)]
    [TestCase(0, 0, 0, -1, 0, 0)]
    [TestCase(0, 0, 0, 0, -1, 0)]
    [TestCase(0, 0, 0, 0, 0, -1)]
    public void Each_negative_count_is_refused(int pushed, int updated, int deleted, int pulled, int conflicts, int restored)
    {
        var error = Assert.Throws<DomainException>(() => SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Ok, new SyncCounts(pushed, updated, deleted, pulled, conflicts, restored), null));

        Assert.That(error!.Field, Is.EqualTo("counts"));
        Assert.That(error.Message, Does.Contain("negative"));
    }

    [Test]
    public void Positive_counts_an_instant_tick_and_the_fields_are_kept()
    {
        var user = Guid.CreateVersion7();
        var binding = Guid.CreateVersion7();
        var counts = new SyncCounts(1, 2, 3, 4, 5, 6);

        var entry = SyncLogEntry.Record(user, binding, Clock.Now, Clock.Now, SyncLogStatus.Partial, counts, "one event failed");

        Assert.That(entry.Counts, Is.EqualTo(counts));
        Assert.That((entry.UserId, entry.BindingId, entry.Status, entry.Error), Is.EqualTo((user, (Guid?)binding, SyncLogStatus.Partial, "one event failed")));
        Assert.That((entry.StartedAt, entry.FinishedAt), Is.EqualTo((Clock.Now, (DateTimeOffset?)Clock.Now)));
        Assert.That(entry.Id, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public void No_error_stays_null_and_an_error_at_the_limit_is_kept_whole()
    {
        var atLimit = new string('e', SyncLogEntry.ErrorMaxLength);

        Assert.That(SyncLogEntry.Record(Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Ok, SyncCounts.None, null).Error, Is.Null);
        Assert.That(SyncLogEntry.Record(Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Error, SyncCounts.None, atLimit).Error, Is.EqualTo(atLimit));
    }

    [Test]
    public void Long_errors_are_cut_to_the_column_size()
    {
        var entry = SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Error, SyncCounts.None, new string('e', SyncLogEntry.ErrorMaxLength + 50));

        Assert.That(entry.Error, Has.Length.EqualTo(SyncLogEntry.ErrorMaxLength));
    }

    [Test]
    public void The_detail_is_kept_beside_the_error_and_clipped_to_the_column()
    {
        var entry = SyncLogEntry.Record(Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Error, SyncCounts.None, "failed",
            new string('d', SyncLogEntry.ErrorMaxLength + 5));

        Assert.That(entry.Error, Is.EqualTo("failed"));
        Assert.That(entry.ErrorDetail, Has.Length.EqualTo(SyncLogEntry.ErrorMaxLength));
        Assert.That(SyncLogEntry.Record(Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Ok, SyncCounts.None, null).ErrorDetail, Is.Null);
    }
}
