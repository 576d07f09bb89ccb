using System.Net;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Secrets;

/// <summary>The key ring tool on a production host (<c>dotnet Paliad.Api.dll keys …</c>, which <c>./paliad keys</c>
/// runs): what each key is and guards, and pruning the keys no stored password needs.</summary>
public sealed class KeysToolTests : KeyRingTest
{
    private const string Alice = "alice@firm.example";
    private const string Bob = "bob@firm.example";
    private const string CalDavPassword = "court-dates-are-sacred";
    private const string AccessToken = "ya29.access-token";
    private const string RefreshToken = "1//refresh-token";
    private static readonly Dictionary<string, string> Environment = new() { ["ConnectionStrings__Paliad"] = TestDatabase.ConnectionString };

    [Test]
    public async Task The_tool_lists_each_key_with_its_state_its_storage_and_the_passwords_it_protects()
    {
        var (clearKey, currentKey) = await RingAsync(clearActivatedDaysAgo: 1, currentActivatedDaysAgo: 0, alicePasswordUnderTheClearKey: true);

        var (code, output) = await ApiExecutable.RunAsync(["keys", "list"], Environment);

        Assert.That(code, Is.Zero, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines.Single(l => l.StartsWith(clearKey.ToString(), StringComparison.Ordinal)),
            Does.Contain("\tretired\t").And.Contain("\tin clear\t").And.EndWith("passwords 1"));
        Assert.That(lines.Single(l => l.StartsWith(currentKey.ToString(), StringComparison.Ordinal)),
            Does.Contain("\tcurrent\t").And.Contain($"encrypted for CN=Paliad key encryption (test) (thumbprint {Kek.Thumbprint})").And.EndWith("passwords 0"));
        Assert.That(output, Does.Contain("2 key(s), 1 stored password(s)"));
    }

    [Test]
    public async Task Prune_removes_an_older_key_only_when_no_password_needs_it_and_the_current_key_has_settled()
    {
        var (youngClear, _) = await RingAsync(clearActivatedDaysAgo: 20, currentActivatedDaysAgo: 1, alicePasswordUnderTheClearKey: false);
        var (tooSoon, tooSoonOutput) = await ApiExecutable.RunAsync(["keys", "prune"], Environment);
        Assert.That(tooSoon, Is.Zero);
        Assert.That(tooSoonOutput, Does.Contain("0 key(s) removed: the current key became current less than 2 days ago"));

        await ExecuteAsync("DELETE FROM paliad.data_protection_keys");
        var (clearKey, currentKey) = await RingAsync(clearActivatedDaysAgo: 20, currentActivatedDaysAgo: 5, alicePasswordUnderTheClearKey: true);
        var (_, stillNeeded) = await ApiExecutable.RunAsync(["keys", "prune"], Environment);

        await using (var withCertificate = Instance(Kek.Pfx()))
        {
            await StoreAlicePasswordAsync(Protector(withCertificate).Protect(CalDavPassword));
        }

        var (pruned, prunedOutput) = await ApiExecutable.RunAsync(["keys", "prune"], Environment);
        var (_, afterwards) = await ApiExecutable.RunAsync(["keys", "list"], Environment);

        Assert.That(youngClear, Is.Not.EqualTo(clearKey));
        Assert.That(stillNeeded, Does.Contain("0 key(s) removed: every older key still protects a stored password"));
        Assert.That(pruned, Is.Zero);
        Assert.That(prunedOutput, Does.Contain($"removed\t{clearKey}").And.Contain("1 key(s) removed"));
        Assert.That(afterwards, Does.Not.Contain(clearKey.ToString()).And.Contain(currentKey.ToString()).And.Contain("1 key(s), 1 stored password(s)"));
        await using var instance = Instance(Kek.Pfx());
        Assert.That(Protector(instance).Unprotect(await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config") ?? "").Password,
            Is.EqualTo(CalDavPassword), "the password still opens after the prune");
    }

    [Test]
    public async Task Reprotect_moves_every_password_under_an_older_key_now_and_counts_what_no_key_opens()
    {
        var (clearKey, currentKey) = await RingAsync(clearActivatedDaysAgo: 20, currentActivatedDaysAgo: 5, alicePasswordUnderTheClearKey: true);
        await ExpectAsync(PutAsync(As(Bob), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "bob", password = "x" }), HttpStatusCode.OK);
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p WHERE user_id = @u", ("p", OrphanPayload()), ("u", UserIdOf(Bob)));
        var withCertificate = new Dictionary<string, string>(Environment)
        {
            ["DataProtection__CertificatePath"] = Kek.PfxPath,
            ["DataProtection__CertificatePassword"] = KeyEncryptionFiles.Password,
        };

        var (code, output) = await ApiExecutable.RunAsync(["keys", "reprotect"], withCertificate);
        var (_, listed) = await ApiExecutable.RunAsync(["keys", "list"], Environment);

        Assert.That(code, Is.EqualTo(1), "a password could not be opened");
        Assert.That(output, Does.Contain("1 password(s) moved to the current key, 0 already under it, 1 could not be opened here"));
        var alices = await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config WHERE user_id = @u", ("u", UserIdOf(Alice)));
        Assert.That(PasswordPayload.KeyIdOf(alices!), Is.EqualTo(currentKey));
        Assert.That(listed.Split('\n').Single(l => l.StartsWith(clearKey.ToString(), StringComparison.Ordinal)).TrimEnd(), Does.EndWith("passwords 0"));
    }

    [Test]
    public async Task A_key_that_protects_only_an_oauth_grant_is_kept_by_prune_and_reprotect_moves_the_grant()
    {
        var (clearKey, currentKey) = await RingAsync(clearActivatedDaysAgo: 20, currentActivatedDaysAgo: 5, alicePasswordUnderTheClearKey: false, aliceGrantUnderTheClearKey: true);
        var withCertificate = new Dictionary<string, string>(Environment)
        {
            ["DataProtection__CertificatePath"] = Kek.PfxPath,
            ["DataProtection__CertificatePassword"] = KeyEncryptionFiles.Password,
        };

        var (_, stillNeeded) = await ApiExecutable.RunAsync(["keys", "prune"], Environment);
        var (moved, movedOutput) = await ApiExecutable.RunAsync(["keys", "reprotect"], withCertificate);
        var (_, pruned) = await ApiExecutable.RunAsync(["keys", "prune"], Environment);

        Assert.That(stillNeeded, Does.Contain("0 key(s) removed: every older key still protects a stored password"), "the grant's key is in use");
        Assert.That(moved, Is.Zero, movedOutput);
        Assert.That(movedOutput, Does.Contain("2 password(s) moved to the current key"));
        Assert.That(pruned, Does.Contain($"removed\t{clearKey}"));
        await using var instance = Instance(Kek.Pfx());
        var stored = await ScalarAsync<string>("SELECT access_token || ' ' || refresh_token FROM paliad.user_caldav_config");
        var parts = stored!.Split(' ');
        Assert.That(PasswordPayload.KeyIdOf(parts[0]), Is.EqualTo(currentKey));
        Assert.That(Protector(instance).Unprotect(parts[0]).Password, Is.EqualTo(AccessToken));
        Assert.That(Protector(instance).Unprotect(parts[1]).Password, Is.EqualTo(RefreshToken), "the grant still opens after the prune");
    }

    [Test]
    public async Task An_unknown_subcommand_prints_the_usage()
    {
        var (code, output) = await ApiExecutable.RunAsync(["keys", "delete-all"], Environment);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("usage: keys list | keys prune | keys reprotect"));
    }

    /// <summary>A key stored in clear (an instance without a certificate; Alice's password under it if asked), then a
    /// current key encrypted for this test's certificate, each activated the given days ago.</summary>
    private async Task<(Guid Clear, Guid Current)> RingAsync(
        int clearActivatedDaysAgo, int currentActivatedDaysAgo, bool alicePasswordUnderTheClearKey, bool aliceGrantUnderTheClearKey = false)
    {
        var now = DateTimeOffset.UtcNow;
        Guid clear;
        await using (var withoutCertificate = Instance([]))
        {
            clear = withoutCertificate.GetRequiredService<IKeyManager>().CreateNewKey(now.AddDays(-clearActivatedDaysAgo), now.AddDays(60)).KeyId;
            if (alicePasswordUnderTheClearKey)
            {
                await StoreAlicePasswordAsync(Protector(withoutCertificate).Protect(CalDavPassword));
            }

            if (aliceGrantUnderTheClearKey)
            {
                await ExpectAsync(As(Alice).GetAsync(new Uri("/api/me", UriKind.Relative)), HttpStatusCode.OK);
                await ExecuteAsync(
                    "INSERT INTO paliad.user_caldav_config (user_id, server_url, username, sync_enabled, sync_interval_minutes, created_at, updated_at, auth_kind, provider, access_token, refresh_token) "
                    + "VALUES (@u, 'https://apidata.googleusercontent.com/caldav/v2/', 'alice@gmail.example', true, 15, now(), now(), 'oauth2', 'google', @a, @r)",
                    ("u", UserIdOf(Alice)), ("a", Protector(withoutCertificate).Protect(AccessToken)), ("r", Protector(withoutCertificate).Protect(RefreshToken)));
            }
        }

        await using var withCertificate = Instance(Kek.Pfx());
        var current = withCertificate.GetRequiredService<IKeyManager>().CreateNewKey(now.AddDays(-currentActivatedDaysAgo).AddMinutes(-1), now.AddDays(85)).KeyId;
        return (clear, current);
    }

    private async Task StoreAlicePasswordAsync(string protectedPassword)
    {
        if (await ScalarAsync<long>("SELECT count(*) FROM paliad.user_caldav_config WHERE user_id = @u", ("u", UserIdOf(Alice))) == 0)
        {
            await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x" }), HttpStatusCode.OK);
        }

        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p WHERE user_id = @u", ("p", protectedPassword), ("u", UserIdOf(Alice)));
    }
}
