using System.Diagnostics;
using System.Net;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>Safe production defaults: a Production start without what it needs is refused with a message (the real
/// executable, as a process), and the OpenAPI document and reference UI are served only when published.</summary>
public sealed class ProductionDefaultsTests : ApiTest
{
    private const string LongEnoughKey = "production-defaults-test-signing-key-0123456789";

    [TestCase(null, "authenticated", "Auth:Issuer")]
    [TestCase("https://example.supabase.co/auth/v1", null, "Auth:Audience")]
    public async Task A_production_start_without_issuer_or_audience_exits_with_a_message(string? issuer, string? audience, string named)
    {
        var (exitCode, output) = await StartApiAsync("Production", LongEnoughKey, issuer, audience);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain(named).And.Contain("refuses to start"));
    }

    [Test]
    public async Task A_signing_key_shorter_than_32_bytes_is_refused_in_any_environment()
    {
        var (exitCode, output) = await StartApiAsync("Development", "too-short", null, null);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("at least 32 bytes"));
    }

    [Test]
    public async Task The_reference_is_not_served_unless_published()
    {
        await using var unpublished = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["Api:PublishReference"] = "false" });
        using var client = unpublished.CreateClient();

        await ExpectAsync(client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)), HttpStatusCode.NotFound);
        await ExpectAsync(client.GetAsync(new Uri("/scalar", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_first_start_on_an_empty_database_logs_no_failure()
    {
        await using var empty = await TestDatabase.CreateScratchAsync();

        var (exitCode, output) = await StartApiAsync("Development", LongEnoughKey, null, null, empty.ConnectionString, stopWhen: "Now listening on");

        Assert.That(output, Does.Contain("Now listening on"), output);
        Assert.That(output, Does.Not.Contain("fail:"));
        Assert.That(exitCode, Is.Not.EqualTo(1));
    }

    /// <summary>Runs the API's own executable (its build output beside this repository's tests) until it exits.</summary>
    private static async Task<(int ExitCode, string Output)> StartApiAsync(
        string environment, string signingKey, string? issuer, string? audience, string? connectionString = null, string? stopWhen = null)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Paliad.sln")))
        {
            root = root.Parent;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(root!.FullName, "src", "Paliad.Api", "bin", configuration, "net10.0", "Paliad.Api.dll");
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__Paliad"] = connectionString ?? TestDatabase.ConnectionString;
        start.Environment["Sync__Enabled"] = "false";
        start.Environment["Auth__JwtSigningKey"] = signingKey;
        start.Environment["Auth__Issuer"] = issuer ?? string.Empty;
        start.Environment["Auth__Audience"] = audience ?? string.Empty;
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(object sender, DataReceivedEventArgs line)
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (stopWhen is not null && line.Data?.Contains(stopWhen, StringComparison.Ordinal) == true)
            {
                seen.TrySetResult();
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(process.WaitForExitAsync(), seen.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (finished != seen.Task)
            {
                Assert.Fail($"the API neither refused nor started: {output}");
            }
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
