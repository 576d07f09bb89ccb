using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Paliad.Api.Errors;

namespace Paliad.IntegrationTests.Api;

/// <summary>A PostgresException that slips past the validators still answers 400/409 naming the field, never 500.</summary>
public sealed class DatabaseBackstopTests
{
    private static DbUpdateException Refused(string sqlState, string constraint)
        => new("refused", new PostgresException("refused", "ERROR", "ERROR", sqlState, constraintName: constraint));

    [Test]
    public void A_check_violation_is_a_400_naming_the_field()
    {
        var problem = ProblemDetailsExceptionHandler.Map(Refused(PostgresErrorCodes.CheckViolation, "ck_appointments_title_length"));

        Assert.That(problem, Is.InstanceOf<ValidationProblemDetails>());
        Assert.That(problem!.Status, Is.EqualTo(400));
        Assert.That(((ValidationProblemDetails)problem).Errors.Keys, Is.EqualTo(new[] { "title" }));
    }

    [Test]
    public void A_unique_violation_on_the_calendar_is_a_409()
    {
        var problem = ProblemDetailsExceptionHandler.Map(Refused(PostgresErrorCodes.UniqueViolation, "ix_calendar_bindings_user_id_calendar_path"));

        Assert.That(problem!.Status, Is.EqualTo(409));
        Assert.That(problem.Extensions, Does.ContainKey("errors"));
    }

    [Test]
    public void A_value_too_long_for_its_column_is_a_400()
    {
        Assert.That(ProblemDetailsExceptionHandler.Map(Refused(PostgresErrorCodes.StringDataRightTruncation, "x"))!.Status, Is.EqualTo(400));
    }

    [Test]
    public void An_unexpected_exception_is_left_to_the_500_handler()
    {
        Assert.That(ProblemDetailsExceptionHandler.Map(new InvalidOperationException("bug")), Is.Null);
    }
}
