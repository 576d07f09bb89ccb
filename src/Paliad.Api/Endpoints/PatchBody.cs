using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using FluentValidation.Results;
using Paliad.Application.Common;

namespace Paliad.Api.Endpoints;

/// <summary>Reads a PATCH document field by field, telling "absent" (leave as is) from "null" (clear), and collects
/// type errors per field so a bad PATCH is one 400 naming every wrong field.</summary>
internal sealed class PatchBody(JsonObject? body, JsonSerializerOptions options)
{
    private readonly List<ValidationFailure> _failures = [];

    public PatchField<T> Field<T>(string name)
    {
        if (body is null || !body.TryGetPropertyValue(name, out var node))
        {
            return default;
        }

        try
        {
            return PatchField.Of(node is null ? default! : node.Deserialize<T>(options)!);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            _failures.Add(new ValidationFailure(name, $"'{name}' has the wrong type or format."));
            return default;
        }
    }

    public void ThrowIfInvalid()
    {
        if (body is null)
        {
            throw new ValidationException([new ValidationFailure(string.Empty, "The request body must be a JSON object.")]);
        }

        if (_failures.Count > 0)
        {
            throw new ValidationException(_failures);
        }
    }
}
