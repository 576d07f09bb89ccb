using System.Globalization;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Secrets;

namespace Paliad.Api;

/// <summary><c>Paliad.Api keys list</c> and <c>Paliad.Api keys prune</c>: the Data Protection key ring for operators
/// (<c>./paliad keys</c> runs it locally), on ConnectionStrings:Paliad. No certificate needed: it reads what the table
/// says about each key, never a key's secret.</summary>
internal static class KeysCommand
{
    private const string Usage = "usage: keys list | keys prune";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not (["list"] or ["prune"]))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var connectionString = CommandConfiguration.Build().GetConnectionString(PaliadDatabase.ConnectionStringName);
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Paliad is not set (ConnectionStrings__Paliad).");
            return 2;
        }

        await using var db = new PaliadDbContext(PaliadDatabase.OptionsFor(connectionString));
        var keys = new KeyRingAdministration(db, TimeProvider.System);
        if (args is ["list"])
        {
            var entries = await keys.ListAsync();
            foreach (var key in entries)
            {
                Console.WriteLine(Line(key));
            }

            Console.WriteLine($"{entries.Count} key(s), {entries.Sum(k => k.Passwords)} stored password(s)");
            return 0;
        }

        var pruning = await keys.PruneAsync();
        foreach (var key in pruning.Removed)
        {
            Console.WriteLine($"removed\t{Line(key)}");
        }

        Console.WriteLine(pruning.NothingBecause is { } reason ? $"0 key(s) removed: {reason}" : $"{pruning.Removed.Count} key(s) removed");
        return 0;
    }

    private static string Line(KeyRingEntry key)
        => string.Join('\t', key.KeyId, key.State, $"activates {Iso(key.ActivatesAt)}", $"expires {Iso(key.ExpiresAt)}", key.StoredAs, $"passwords {key.Passwords}");

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The configuration the commands (token, outbox, keys) read: appsettings.json beside the executable, then
/// the environment — as the API reads it, without starting a host.</summary>
internal static class CommandConfiguration
{
    public static IConfiguration Build() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}
