using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Paliad.Application.Common;
using Paliad.Domain.Common;

namespace Paliad.Api.Errors;

/// <summary>
/// Maps every expected failure to RFC 9457 problem+json: validation → 400 with <c>errors: {field: [messages]}</c>,
/// domain rules → 400/409, not found → 404, forbidden → 403, and the database backstop (a CHECK or UNIQUE that
/// a validator missed) → 400/409, never a 500.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem is null)
        {
            return false;
        }

        if (problem.Status >= 500 || exception is DbUpdateException)
        {
            LogRefused(logger, exception, problem.Status!.Value, problem.Title);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails? Map(Exception exception) => exception switch
    {
        ValidationException validation => Invalid(validation.Errors.GroupBy(e => FieldName(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray())),
        DomainException { Kind: DomainErrorKind.Conflict } domain => Conflict(domain.Message, domain.Field),
        DomainException domain => Invalid(new Dictionary<string, string[]> { [domain.Field] = [domain.Message] }),
        PreconditionFailedException failed => PreconditionFailed(failed),
        NotFoundException notFound => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found.", Detail = notFound.Message },
        ForbiddenException forbidden => new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Forbidden.", Detail = forbidden.Message },
        ExternalServiceException { Field: { } field } external => Invalid(new Dictionary<string, string[]> { [field] = [external.Message] }),
        ExternalServiceException external => BadGateway(external),
        DbUpdateConcurrencyException => Conflict("Someone else changed this at the same time; reload and try again.", null),
        DbUpdateException { InnerException: PostgresException postgres } => FromDatabase(postgres),
        BadHttpRequestException { StatusCode: not StatusCodes.Status400BadRequest } other => new ProblemDetails { Status = other.StatusCode, Title = other.Message },
        BadHttpRequestException badRequest => FromBadRequest(badRequest),
        _ => null,
    };

    private static ProblemDetails? FromDatabase(PostgresException postgres)
    {
        var field = DatabaseConstraints.FieldOf(postgres.ConstraintName) ?? postgres.ColumnName ?? string.Empty;
        return postgres.SqlState switch
        {
            PostgresErrorCodes.CheckViolation or PostgresErrorCodes.StringDataRightTruncation or PostgresErrorCodes.NotNullViolation
                or PostgresErrorCodes.InvalidTextRepresentation or PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter =>
                Invalid(new Dictionary<string, string[]> { [field] = [$"The value was refused by the database rule {postgres.ConstraintName ?? postgres.SqlState}."] }),
            PostgresErrorCodes.UniqueViolation => Conflict("This already exists.", field),
            PostgresErrorCodes.ForeignKeyViolation => Conflict("A referenced record does not exist (any more).", field),
            _ => null,
        };
    }

    private static ValidationProblemDetails FromBadRequest(BadHttpRequestException badRequest)
    {
        var field = badRequest.InnerException is JsonException { Path: { } path }
            ? FieldName(path.TrimStart('$', '.'))
            : BindParameter().Match(badRequest.Message) is { Success: true } match ? match.Groups["name"].Value : string.Empty;
        var message = badRequest.InnerException is JsonException ? "The value is not valid here." : badRequest.Message;
        return Invalid(new Dictionary<string, string[]> { [field] = [message] });
    }

    private static ValidationProblemDetails Invalid(IDictionary<string, string[]> errors)
        => new(errors) { Status = StatusCodes.Status400BadRequest, Title = "One or more validation errors occurred." };

    /// <summary>412: nothing changed; <c>etag</c> is the current tag (null: the resource is gone) and <c>current</c> the
    /// current representation where the use case gives it, so a client can merge and try again.</summary>
    private static ProblemDetails PreconditionFailed(PreconditionFailedException failed)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status412PreconditionFailed, Title = "Precondition failed.", Detail = failed.Message };
        problem.Extensions["etag"] = failed.CurrentETag;
        if (failed.Current is { } current)
        {
            problem.Extensions["current"] = current;
        }

        return problem;
    }

    private static ProblemDetails Conflict(string detail, string? field)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = detail };
        if (!string.IsNullOrEmpty(field))
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }

        return problem;
    }

    private static string FieldName(string propertyName)
    {
        var name = propertyName.Split('.', '[')[0];
        return string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>A 502 with the failure's kind as <c>reason</c> (unauthorized, unreachable, timeout, not_a_calendar_server,
    /// server_error), so a client can say it in plain words.</summary>
    private static ProblemDetails BadGateway(ExternalServiceException external)
    {
        var problem = new ProblemDetails { Status = StatusCodes.Status502BadGateway, Title = "The CalDAV server failed.", Detail = external.Message };
        if (external.Reason is { } reason)
        {
            problem.Extensions["reason"] = Words.Of(reason);
        }

        return problem;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request refused with {Status}: {Title}")]
    private static partial void LogRefused(ILogger logger, Exception exception, int status, string? title);

    [GeneratedRegex("parameter \"(?:[^\" ]+ )?(?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex BindParameter();
}
