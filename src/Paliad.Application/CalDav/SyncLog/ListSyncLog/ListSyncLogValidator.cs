using FluentValidation;

namespace Paliad.Application.CalDav.SyncLog.ListSyncLog;

public sealed class ListSyncLogValidator : AbstractValidator<ListSyncLog>
{
    public ListSyncLogValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListSyncLog.MaxLimit);
    }
}
