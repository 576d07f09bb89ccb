using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav.Bindings;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.Appointments.CountAppointments;

/// <summary>GET /api/appointments/count?scope=&amp;scopeId=: what a binding or a feed of this scope would carry, before it
/// is made — how many appointments, and how many of them start in the next 30 days. One query.</summary>
public sealed record CountAppointments(Guid UserId, string? Scope, Guid? ScopeId) : IQuery<AppointmentCountDto>;

public sealed record AppointmentCountDto(int Count, int Next30Days);

public sealed class CountAppointmentsHandler(IPaliadDbContext db, TimeProvider clock) : IQueryHandler<CountAppointments, AppointmentCountDto>
{
    public async ValueTask<AppointmentCountDto> Handle(CountAppointments query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var soon = now.AddDays(30);
        var counted = await db.ForScope(query.UserId, Words.Parse<BindingScope>(query.Scope!), query.ScopeId)
            .GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Next30Days = g.Count(a => a.StartsAt >= now && a.StartsAt < soon) })
            .SingleOrDefaultAsync(cancellationToken);
        return new AppointmentCountDto(counted?.Count ?? 0, counted?.Next30Days ?? 0);
    }
}

public sealed class CountAppointmentsValidator : AbstractValidator<CountAppointments>
{
    public CountAppointmentsValidator(IPaliadDbContext db)
    {
        BindingRules.ScopeWord(RuleFor(c => c.Scope).NotEmpty());
        BindingRules.ScopeTarget(RuleFor(c => c), db, c => c.UserId, c => c.Scope, c => c.ScopeId);
    }
}
