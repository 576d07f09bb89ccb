using FluentValidation;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Config.SaveCalDavConfig;

public sealed class SaveCalDavConfigValidator : AbstractValidator<SaveCalDavConfig>
{
    public SaveCalDavConfigValidator(ICalDavServerPolicy serverPolicy)
    {
        RuleFor(c => c.ServerUrl).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(CalDavConfig.ServerUrlMaxLength)
            .Must(url => !CalDavConfig.HasUserInfo(url)).WithMessage(CalDavConfig.UserInfoRule)
            .Must(CalDavConfig.IsHttpUrl).WithMessage("'serverUrl' must be an absolute http or https URL.")
            .Must(url => serverPolicy.Refusal(url!) is null).When(c => CalDavConfig.IsHttpUrl(c.ServerUrl))
            .WithMessage(c => serverPolicy.Refusal(c.ServerUrl!) ?? string.Empty);
        RuleFor(c => c.Username).NotEmpty().Must(u => !string.IsNullOrWhiteSpace(u)).WithMessage("'username' must not be blank.")
            .MaximumLength(CalDavConfig.UsernameMaxLength);
        RuleFor(c => c.CalendarPath).MaximumLength(CalDavConfig.CalendarPathMaxLength)
            .Custom((path, context) =>
            {
                if (CalendarPaths.Resolve(path, context.InstanceToValidate.ServerUrl, out var problem) is null)
                {
                    context.AddFailure(problem!);
                }
            })
            .When(c => !string.IsNullOrWhiteSpace(c.CalendarPath));
        RuleFor(c => c.SyncIntervalMinutes).InclusiveBetween(CalDavConfig.MinSyncIntervalMinutes, CalDavConfig.MaxSyncIntervalMinutes);
    }
}
