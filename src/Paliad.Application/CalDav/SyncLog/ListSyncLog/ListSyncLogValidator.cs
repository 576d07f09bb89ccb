using FluentValidation;
using Paliad.Application.Common;

namespace Paliad.Application.CalDav.SyncLog.ListSyncLog;

public sealed class ListSyncLogValidator : AbstractValidator<ListSyncLog>
{
    public ListSyncLogValidator() => Paging.AddRules(this, q => q.Limit, q => q.After, instantKeyed: true);
}
