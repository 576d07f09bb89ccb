using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.SyncLog.ListSyncLog;

public sealed class ListSyncLogValidator : AbstractValidator<ListSyncLog>
{
    public ListSyncLogValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListSyncLog.MaxLimit);
    }
}
