using System.Globalization;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;

namespace Paliad.Api.Composition;

/// <summary><c>Paliad.Api outbox list [--dead]</c> and <c>Paliad.Api outbox retry &lt;id&gt;|--dead</c>: the outbox tool
/// for production hosts (<c>./paliad outbox</c> runs it locally), on ConnectionStrings:Paliad.</summary>
internal static class OutboxCommand
{
    private const string Usage = "usage: outbox list [--dead] | outbox retry <id>|--dead";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = CommandConfiguration.Build();
        var connectionString = configuration.GetConnectionString(PaliadDatabase.ConnectionStringName);
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Paliad is not set (ConnectionStrings__Paliad).");
            return 2;
        }

        await using var db = new PaliadDbContext(PaliadDatabase.OptionsFor(connectionString));
        var outbox = new OutboxAdministration(db, TimeProvider.System);
        switch (args)
        {
            case ["list"]:
            case ["list", "--dead"]:
                var messages = await outbox.ListAsync(deadOnly: args.Length == 2, limit: 1000);
                foreach (var m in messages)
                {
                    Console.WriteLine(string.Join('\t', m.Id, m.State, m.Type, $"attempts {m.Attempts}", $"occurred {Iso(m.OccurredAt)}",
                        $"next {Iso(m.NextAttemptAt)}", m.LastError?.ReplaceLineEndings(" ") ?? "-"));
                }

                Console.WriteLine($"{messages.Count} message(s)");
                return 0;
            case ["retry", "--dead"]:
                Console.WriteLine($"{await outbox.RetryDeadAsync()} dead message(s) due again");
                return 0;
            case ["retry", var id] when Guid.TryParse(id, out var messageId):
                if (await outbox.RetryAsync(messageId))
                {
                    Console.WriteLine($"{messageId} is due again");
                    return 0;
                }

                await Console.Error.WriteLineAsync($"no unprocessed outbox message {messageId}");
                return 1;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
