using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.Secrets;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Secrets;

/// <summary>The Data Protection key ring in data_protection_keys, as separate instances of the product's own wiring
/// (AddPaliadInfrastructure) see it: encrypted under the key-encryption certificate, unreadable without it, and one
/// ring when instances start together on an empty table.</summary>
public sealed class KeyRingTests : KeyRingTest
{
    private const string CalDavPassword = "court-dates-are-sacred";
    private const string Alice = "alice@firm.example";
    [Test]
    public async Task With_a_key_encryption_certificate_no_key_is_stored_in_clear()
    {
        await using var instance = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(instance);
        Protector(instance).Protect(CalDavPassword);

        var stored = await StoredKeysAsync();

        Assert.That(stored, Has.Count.EqualTo(1));
        Assert.That(stored[0], Does.Contain("EncryptedData").And.Not.Contain("requiresEncryption").And.Not.Contain("<value>"));
        var described = KeyRing.Describe(stored[0])!;
        Assert.That(described.InClear, Is.False);
        Assert.That(described.EncryptedFor, Is.EqualTo(Kek.CertificateBase64));
    }

    [Test]
    public async Task The_stored_key_ring_is_unreadable_without_its_certificate()
    {
        string protectedPassword;
        await using (var withCertificate = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(withCertificate);
            protectedPassword = Protector(withCertificate).Protect(CalDavPassword);
        }

        using var otherKek = new KeyEncryptionFiles("CN=Someone else's key encryption");
        await using var withTheSameCertificateAsPem = Instance(Kek.Pem());
        await using var withoutCertificate = Instance([]);
        await using var withAnotherCertificate = Instance(otherKek.Pfx());

        // The same certificate as PEM first: an instance that cannot open the ring makes itself a key of its own.
        Assert.That(Protector(withTheSameCertificateAsPem).Unprotect(protectedPassword), Is.EqualTo(new UnprotectedPassword(CalDavPassword, false)));
        Assert.Throws<KeyRingBehindException>(() => Protector(withoutCertificate).Unprotect(protectedPassword));
        Assert.Throws<KeyRingBehindException>(() => Protector(withAnotherCertificate).Unprotect(protectedPassword));
    }

    [Test]
    public async Task Configuring_a_certificate_on_a_ring_stored_in_clear_makes_a_new_encrypted_key_current()
    {
        string protectedInClearDays;
        await using (var before = Instance([]))
        {
            await KeyRing.EnsureCurrentKeyAsync(before);
            protectedInClearDays = Protector(before).Protect(CalDavPassword);
        }

        var clearKey = KeyRing.Describe((await StoredKeysAsync()).Single())!;
        await using var after = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(after);
        var protectedNow = Protector(after).Protect(CalDavPassword);

        var stored = await StoredKeysAsync();
        Assert.That(clearKey.InClear, Is.True);
        Assert.That(stored, Has.Count.EqualTo(2));
        Assert.That(stored.Select(KeyRing.Describe).Where(k => k!.InClear).Select(k => k!.Id), Is.EqualTo(new[] { clearKey.Id }));
        Assert.That(PasswordPayload.KeyIdOf(protectedNow), Is.Not.EqualTo(clearKey.Id));
        Assert.That(Protector(after).Unprotect(protectedInClearDays), Is.EqualTo(new UnprotectedPassword(CalDavPassword, true)), "moves to the new key when next used");
    }

    [Test]
    public async Task A_new_key_encryption_certificate_reads_the_old_ring_through_the_previous_one_and_encrypts_a_new_current_key()
    {
        using var nextKek = new KeyEncryptionFiles("CN=Next year's key encryption");
        string protectedBefore;
        await using (var before = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(before);
            protectedBefore = Protector(before).Protect(CalDavPassword);
        }

        var rotatedSettings = nextKek.Pfx();
        foreach (var (key, value) in Kek.AsPrevious(0))
        {
            rotatedSettings[key] = value;
        }

        await using var rotated = Instance(rotatedSettings);
        await KeyRing.EnsureCurrentKeyAsync(rotated);
        var protectedAfter = Protector(rotated).Protect(CalDavPassword);
        await using var withoutThePrevious = Instance(nextKek.Pfx());

        var stored = (await StoredKeysAsync()).Select(KeyRing.Describe).ToList();
        Assert.That(stored.Select(k => k!.EncryptedFor), Is.EqualTo(new[] { Kek.CertificateBase64, nextKek.CertificateBase64 }));
        Assert.That(PasswordPayload.KeyIdOf(protectedAfter), Is.EqualTo(stored[1]!.Id), "new passwords go under the key the new certificate encrypts");
        Assert.That(Protector(rotated).Unprotect(protectedBefore), Is.EqualTo(new UnprotectedPassword(CalDavPassword, true)));
        Assert.Throws<KeyRingBehindException>(() => Protector(withoutThePrevious).Unprotect(protectedBefore));
    }

    [Test]
    public async Task A_ring_that_has_a_current_key_gets_no_other_at_start()
    {
        await using var first = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(first);
        await using var second = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(second);
        await KeyRing.EnsureCurrentKeyAsync(first);

        Assert.That(await StoredKeysAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Two_instances_starting_together_on_an_empty_key_table_end_with_one_key_ring()
    {
        // Several rounds: a race that a lock did not prevent would show in one of them.
        for (var round = 0; round < 5; round++)
        {
            await ExecuteAsync("DELETE FROM paliad.data_protection_keys");
            await using var a = Instance(Kek.Pfx());
            await using var b = Instance(Kek.Pfx());

            await Task.WhenAll(Task.Run(() => KeyRing.EnsureCurrentKeyAsync(a)), Task.Run(() => KeyRing.EnsureCurrentKeyAsync(b)));

            Assert.That(await StoredKeysAsync(), Has.Count.EqualTo(1), $"round {round}");
            Assert.That(Protector(b).Unprotect(Protector(a).Protect(CalDavPassword)).Password, Is.EqualTo(CalDavPassword));
            Assert.That(Protector(a).Unprotect(Protector(b).Protect(CalDavPassword)).Password, Is.EqualTo(CalDavPassword));
        }
    }

    [Test]
    public async Task A_revoked_key_still_opens_its_passwords_and_asks_for_them_to_move()
    {
        string protectedPassword;
        await using (var instance = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(instance);
            protectedPassword = Protector(instance).Protect(CalDavPassword);
            instance.GetRequiredService<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow, "rotation forced by the operator");
        }

        await using var restarted = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(restarted);
        var opened = Protector(restarted).Unprotect(protectedPassword);
        var again = Protector(restarted).Protect(CalDavPassword);

        Assert.That(opened, Is.EqualTo(new UnprotectedPassword(CalDavPassword, true)));
        Assert.That(PasswordPayload.KeyIdOf(again), Is.Not.EqualTo(PasswordPayload.KeyIdOf(protectedPassword)));
        Assert.That(await StoredKeysAsync(), Has.Count.EqualTo(2), "the revoked key and one new current key");
    }

    [Test]
    public async Task A_newer_key_stored_in_clear_is_not_left_current_when_a_certificate_is_configured()
    {
        await using (var withCertificate = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(withCertificate);
        }

        // An instance without the certificate (outside Production it may start) wrote a key of its own, later.
        await using (var withoutCertificate = Instance([]))
        {
            var now = DateTimeOffset.UtcNow;
            withoutCertificate.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        }

        await using var instance = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(instance);
        var protectedNow = Protector(instance).Protect(CalDavPassword);

        var stored = (await StoredKeysAsync()).Select(KeyRing.Describe).ToList();
        Assert.That(stored, Has.Count.EqualTo(3));
        Assert.That(stored.Single(k => k!.Id == PasswordPayload.KeyIdOf(protectedNow))!.EncryptedFor, Is.EqualTo(Kek.CertificateBase64));
    }

    [Test]
    public async Task A_key_made_ahead_of_time_in_clear_is_revoked_before_it_can_become_current()
    {
        Guid early;
        await using (var withoutCertificate = Instance([]))
        {
            var now = DateTimeOffset.UtcNow;
            early = withoutCertificate.GetRequiredService<IKeyManager>().CreateNewKey(now.AddDays(2), now.AddDays(92)).KeyId;
        }

        await using var instance = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(instance);

        await using var later = Instance(Kek.Pfx());
        var keys = later.GetRequiredService<IKeyManager>().GetAllKeys();
        Assert.That(keys.Single(k => k.KeyId == early).IsRevoked, Is.True);
        Assert.That(keys.Where(k => !k.IsRevoked).Select(k => KeyRing.Describe(StoredXml(k.KeyId))?.EncryptedFor), Is.All.EqualTo(Kek.CertificateBase64));
    }

    [Test]
    public async Task A_start_is_refused_when_stored_passwords_need_a_certificate_that_is_not_configured()
    {
        using var nextKek = new KeyEncryptionFiles("CN=Next year's key encryption");
        await using (var before = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(before);
            await StoreAliceAccountAsync(Protector(before).Protect(CalDavPassword));
        }

        await using var forgotThePrevious = Instance(nextKek.Pfx());
        var refused = Assert.ThrowsAsync<KeyEncryptionException>(() => KeyRing.EnsureCurrentKeyAsync(forgotThePrevious));
        var allowed = nextKek.Pfx();
        allowed["DataProtection:AllowUnreadableKeys"] = "true";
        await using var acceptingTheLoss = Instance(allowed);

        Assert.That(refused!.Message, Does.StartWith("1 stored CalDAV password(s)").And.Contain("DataProtection:PreviousCertificates"));
        Assert.DoesNotThrowAsync(() => KeyRing.EnsureCurrentKeyAsync(acceptingTheLoss));
    }

    [Test]
    public async Task Keys_of_a_dropped_certificate_that_no_password_needs_do_not_stop_a_start()
    {
        using var nextKek = new KeyEncryptionFiles("CN=Next year's key encryption");
        await using (var before = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(before);
        }

        await using var after = Instance(nextKek.Pfx());

        Assert.DoesNotThrowAsync(() => KeyRing.EnsureCurrentKeyAsync(after));
    }

    [Test]
    public async Task A_password_whose_key_is_in_the_table_but_not_usable_here_is_the_instances_problem_not_the_users()
    {
        string protectedPassword;
        await using (var withCertificate = Instance(Kek.Pfx()))
        {
            await KeyRing.EnsureCurrentKeyAsync(withCertificate);
            protectedPassword = Protector(withCertificate).Protect(CalDavPassword);
        }

        await using var lackingTheCertificate = Instance([]);
        Assert.Throws<KeyRingBehindException>(() => Protector(lackingTheCertificate).Unprotect(protectedPassword));

        await ExecuteAsync("DELETE FROM paliad.data_protection_keys");
        await using var ringLost = Instance(Kek.Pfx());
        var lost = Assert.Throws(Is.InstanceOf<CryptographicException>(), () => Protector(ringLost).Unprotect(protectedPassword));
        Assert.That(lost, Is.Not.InstanceOf<KeyRingBehindException>(), "the key is gone: only the user can help");
    }

    [Test]
    public async Task A_password_saved_meanwhile_is_not_overwritten_by_the_move_to_the_current_key()
    {
        var (rotated, _) = await AccountUnderARotatedKeyAsync(calendarPath: null);
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, Settings(Kek.Pfx()));
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Paliad.Infrastructure.Persistence.PaliadDbContext>();
        var readEarlier = await db.CalDavConfigs.AsNoTracking().SingleAsync();
        var savedMeanwhile = Protector(host.Services).Protect("the new password");
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p", ("p", savedMeanwhile));

        var opened = await Protector(host.Services).ReadPasswordAsync(db, readEarlier, CancellationToken.None);

        Assert.That(readEarlier.EncryptedPassword, Is.EqualTo(rotated));
        Assert.That(opened, Is.EqualTo(CalDavServers.Password));
        Assert.That(await StoredPasswordAsync(), Is.EqualTo(savedMeanwhile));
    }

    [Test]
    public async Task A_stored_password_no_key_opens_asks_the_user_to_enter_it_again()
    {
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString);
        using var alice = SignedIn(host, Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new
        {
            serverUrl = CalDavServers.Url(CalDavServers.Radicale).ToString(),
            username = CalDavServers.Username,
            password = CalDavServers.Password,
        }), HttpStatusCode.OK);

        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p", ("p", OrphanPayload()));

        using var response = await alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative));
        var problem = await ReadJsonAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem.GetProperty("errors").GetProperty("password")[0].GetString(), Does.Contain("enter it again"));
    }

    [Test]
    public async Task A_password_under_a_rotated_key_moves_to_the_current_key_when_the_calendars_are_listed()
    {
        var (rotated, currentKey) = await AccountUnderARotatedKeyAsync(calendarPath: null);
        var updatedAt = await ScalarAsync<DateTime>("SELECT updated_at FROM paliad.user_caldav_config");
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, Settings(Kek.Pfx()));
        using var alice = SignedIn(host, Alice);

        await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.OK);
        var moved = await StoredPasswordAsync();
        await ExpectAsync(alice.GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(moved, Is.Not.EqualTo(rotated));
        Assert.That(PasswordPayload.KeyIdOf(moved), Is.EqualTo(currentKey));
        Assert.That(Protector(host.Services).Unprotect(moved), Is.EqualTo(new UnprotectedPassword(CalDavServers.Password, false)));
        Assert.That(await StoredPasswordAsync(), Is.EqualTo(moved), "a password under the current key is left alone");
        Assert.That(await ScalarAsync<DateTime>("SELECT updated_at FROM paliad.user_caldav_config"), Is.EqualTo(updatedAt), "not a change the user made");
    }

    [Test]
    public async Task A_sync_tick_moves_a_password_under_a_rotated_key_to_the_current_key()
    {
        var client = CalDavServers.Client(CalDavServers.Url(CalDavServers.Radicale), CalDavServers.TestOptions());
        var calendar = $"{await client.FindCalendarHomeAsync(await client.FindPrincipalAsync())}rotation-{Guid.NewGuid().ToString("N")[..12]}/";
        await client.MakeCalendarAsync(calendar, "Rotation");
        var (rotated, currentKey) = await AccountUnderARotatedKeyAsync(calendar);
        var binding = await ScalarAsync<Guid>("SELECT id FROM paliad.calendar_bindings WHERE calendar_path = @p", ("p", calendar));
        await using var host = new PaliadApiFactory(TestDatabase.ConnectionString, Settings(Kek.Pfx()));

        var result = await host.Services.GetRequiredService<SyncEngine>().SyncBindingAsync(binding, CancellationToken.None);

        Assert.That(result.Status, Is.EqualTo(SyncRunStatus.Ok), result.Error);
        var moved = await StoredPasswordAsync();
        Assert.That(moved, Is.Not.EqualTo(rotated));
        Assert.That(PasswordPayload.KeyIdOf(moved), Is.EqualTo(currentKey));
    }

    /// <summary>Alice's account on Radicale (through the shared host), its password protected under a key the ring
    /// has since rotated away from; returns the stored password and the ring's current key.</summary>
    private async Task<(string Stored, Guid CurrentKey)> AccountUnderARotatedKeyAsync(string? calendarPath)
    {
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new
        {
            serverUrl = CalDavServers.Url(CalDavServers.Radicale).ToString(),
            username = CalDavServers.Username,
            password = CalDavServers.Password,
            calendarPath,
        }), HttpStatusCode.OK);
        await using var earlier = Instance(Kek.Pfx());
        await KeyRing.EnsureCurrentKeyAsync(earlier);
        var stored = Protector(earlier).Protect(CalDavServers.Password);
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p", ("p", stored));
        var now = DateTimeOffset.UtcNow;
        var current = earlier.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90));
        return (stored, current.KeyId);
    }

    private async Task StoreAliceAccountAsync(string protectedPassword)
    {
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new { serverUrl = "https://dav.example.com/", username = "alice", password = "x" }), HttpStatusCode.OK);
        await ExecuteAsync("UPDATE paliad.user_caldav_config SET password = @p", ("p", protectedPassword));
    }

    private static string StoredXml(Guid keyId)
    {
        using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT xml FROM paliad.data_protection_keys WHERE xml LIKE @id", connection);
        command.Parameters.AddWithValue("id", $"<key id=\"{keyId}\"%");
        return (string)command.ExecuteScalar()!;
    }

    private static HttpClient SignedIn(PaliadApiFactory host, string email)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(email));
        return client;
    }

    private static async Task<string> StoredPasswordAsync()
        => await ScalarAsync<string>("SELECT password FROM paliad.user_caldav_config") ?? throw new AssertionException("no stored password");

    private static Dictionary<string, string> Settings(Dictionary<string, string?> settings) => settings.ToDictionary(s => s.Key, s => s.Value ?? string.Empty);

    [Test]
    public void Something_that_is_not_a_protected_password_is_a_cryptographic_failure()
    {
        using var instance = Instance([]);

        Assert.Throws(Is.InstanceOf<CryptographicException>(), () => Protector(instance).Unprotect("not base64url!"));
    }
}

/// <summary>The key a Data Protection payload names: after a 4-byte magic header, the key id.</summary>
internal static class PasswordPayload
{
    public static Guid KeyIdOf(string protectedPassword) => new(System.Buffers.Text.Base64Url.DecodeFromChars(protectedPassword).AsSpan(4, 16));
}
