using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.CalDav;

public sealed class SyncLogEntryTests
{
    [Test]
    public void A_tick_cannot_finish_before_it_started()
    {
        Assert.Throws<DomainException>(() => SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now.AddSeconds(-1), SyncLogStatus.Ok, SyncCounts.None, null));
    }

    [Test]
    public void Negative_counts_are_refused()
    {
        Assert.Throws<DomainException>(() => SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Ok, SyncCounts.None with { Conflicts = -1 }, null));
    }

    [Test]
    public void Long_errors_are_cut_to_the_column_size()
    {
        var entry = SyncLogEntry.Record(
            Guid.CreateVersion7(), null, Clock.Now, Clock.Now, SyncLogStatus.Error, SyncCounts.None, new string('e', SyncLogEntry.ErrorMaxLength + 50));

        Assert.That(entry.Error, Has.Length.EqualTo(SyncLogEntry.ErrorMaxLength));
    }
}
