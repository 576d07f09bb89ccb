using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Persistence;

/// <summary>The outbox tool on a production host (<c>dotnet Paliad.Api.dll outbox …</c>, which <c>./paliad outbox</c>
/// runs): it lists what is not processed with attempts and last error, and makes dead messages due again.</summary>
public sealed class OutboxToolTests : DatabaseTest
{
    private static readonly Dictionary<string, string> Environment = new() { ["ConnectionStrings__Paliad"] = TestDatabase.ConnectionString };

    [Test]
    public async Task The_tool_lists_a_dead_message_with_its_attempts_and_error_and_retries_it()
    {
        var dead = await InsertAsync("AppointmentChanged", dead: true, error: "PUT /dav/x.ics answered 503");
        var pending = await InsertAsync("AppointmentCreated", dead: false, error: null);

        var (listed, all) = await ApiExecutable.RunAsync(["outbox", "list"], Environment);
        var (listedDead, deadOnly) = await ApiExecutable.RunAsync(["outbox", "list", "--dead"], Environment);
        var (retried, retryOutput) = await ApiExecutable.RunAsync(["outbox", "retry", dead.ToString()], Environment);

        Assert.That((listed, listedDead, retried), Is.EqualTo((0, 0, 0)), retryOutput);
        Assert.That(all, Does.Contain(dead.ToString()).And.Contain(pending.ToString()).And.Contain("2 message(s)"));
        Assert.That(deadOnly, Does.Contain($"{dead}\tdead\tAppointmentChanged\tattempts 5").And.Contain("PUT /dav/x.ics answered 503"));
        Assert.That(deadOnly, Does.Not.Contain(pending.ToString()));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE id = @id AND dead_at IS NULL AND attempts = 0 AND next_attempt_at <= now()",
            ("id", dead)), Is.EqualTo(1));
    }

    [Test]
    public async Task Retry_dead_makes_every_dead_message_due_and_an_unknown_id_is_an_error()
    {
        await InsertAsync("AppointmentChanged", dead: true, error: "boom");
        await InsertAsync("AppointmentDeleted", dead: true, error: "boom");

        var (code, output) = await ApiExecutable.RunAsync(["outbox", "retry", "--dead"], Environment);
        var (unknown, _) = await ApiExecutable.RunAsync(["outbox", "retry", Guid.NewGuid().ToString()], Environment);
        var (usage, _) = await ApiExecutable.RunAsync(["outbox", "purge"], Environment);

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("2 dead message(s) due again"));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE dead_at IS NOT NULL"), Is.Zero);
        Assert.That(unknown, Is.EqualTo(1));
        Assert.That(usage, Is.EqualTo(2));
    }

    private static async Task<Guid> InsertAsync(string type, bool dead, string? error)
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync(
            """
            INSERT INTO paliad.outbox_messages (id, type, payload, occurred_at, attempts, next_attempt_at, last_error, dead_at)
            VALUES (@id, @type, '{}', now(), @attempts, now() + interval '1 hour', @error, CASE WHEN @dead THEN now() END)
            """,
            ("id", id), ("type", type), ("attempts", dead ? 5 : 0), ("error", error), ("dead", dead));
        return id;
    }
}
