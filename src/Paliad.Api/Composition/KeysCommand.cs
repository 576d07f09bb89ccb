using System.Globalization;
using Paliad.Infrastructure;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Secrets;

namespace Paliad.Api.Composition;

/// <summary><c>Paliad.Api keys list|prune|reprotect</c>: the Data Protection key ring for operators (<c>./paliad keys</c>
/// runs it locally), on ConnectionStrings:Paliad. <c>list</c> and <c>prune</c> need no certificate: they read what the
/// table says about each key, never a key's secret; <c>reprotect</c> opens passwords, so it takes the API's
/// DataProtection configuration.</summary>
internal static class KeysCommand
{
    private const string Usage = "usage: keys list | keys prune | keys reprotect";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not (["list"] or ["prune"] or ["reprotect"]))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var configuration = CommandConfiguration.Build();
        var connectionString = configuration.GetConnectionString(PaliadDatabase.ConnectionStringName);
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Paliad is not set (ConnectionStrings__Paliad).");
            return 2;
        }

        if (args is ["reprotect"])
        {
            return await ReprotectAsync(configuration);
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

    /// <summary>Opening passwords needs the ring's keys, so this one runs with the API's own wiring and certificates.</summary>
    private static async Task<int> ReprotectAsync(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddLogging();
        try
        {
            services.AddPaliadInfrastructure(new ConfigurationBuilder()
                .AddConfiguration(configuration)
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Sync:Enabled"] = "false" })
                .Build());
            await using var provider = services.BuildServiceProvider();
            await KeyRing.EnsureCurrentKeyAsync(provider);
            var move = await StoredPasswords.MoveAllToCurrentKeyAsync(provider);
            Console.WriteLine($"{move.Moved} password(s) moved to the current key, {move.AlreadyCurrent} already under it, "
                + $"{move.Unreadable} could not be opened here (those users enter their passwords again, or this host lacks a certificate)");
            return move.Unreadable > 0 ? 1 : 0;
        }
        catch (KeyEncryptionException refused)
        {
            await Console.Error.WriteLineAsync(refused.Message);
            return 1;
        }
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
