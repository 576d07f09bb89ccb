using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Paliad.Api.Auth;

namespace Paliad.IntegrationTests.Infrastructure;

/// <summary>
/// The real API executable serving as a child process, on its own scratch database: what cannot be caught inside a
/// process (a stack overflow, running out of memory) is tested here, by asking it afterwards whether it still serves
/// and how much memory it took at its peak.
/// </summary>
public sealed partial class RunningApi : IAsyncDisposable
{
    private const string SigningKey = "running-api-test-signing-key-0123456789abcdef";

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly ScratchDatabase _database;

    private RunningApi(Process process, StringBuilder output, ScratchDatabase database, Uri url)
    {
        _process = process;
        _output = output;
        _database = database;
        Url = url;
    }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The process's peak resident set (VmHWM), in bytes.</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>Starts the API (Development, loopback CalDAV servers allowed, periodic ticks off unless configured) and
    /// waits until it listens.</summary>
    public static async Task<RunningApi> StartAsync(IReadOnlyDictionary<string, string>? configuration = null)
    {
        var database = await TestDatabase.CreateScratchAsync();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ApiExecutable.DllPath());
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ConnectionStrings__Paliad"] = database.ConnectionString,
            ["Auth__JwtSigningKey"] = SigningKey,
            ["CalDav__AllowPrivateNetworks"] = "true",
            ["Sync__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in configuration ?? new Dictionary<string, string>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(object sender, DataReceivedEventArgs line)
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (line.Data is not null && Listening().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        if (started != listening.Task)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            await database.DisposeAsync();
            lock (output)
            {
                Assert.Fail($"the API did not start: {output}");
            }
        }

        return new RunningApi(process, output, database, await listening.Task);
    }

    /// <summary>An HTTP client signed in as the user with this e-mail.</summary>
    public HttpClient As(string email, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = timeout ?? TimeSpan.FromSeconds(120) };
        var token = DevelopmentTokens.Mint(new AuthOptions { JwtSigningKey = SigningKey }, email, null, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Whether the process still answers: alive, ready, and serving a signed-in request.</summary>
    public async Task<bool> StillServesAsync()
    {
        if (_process.HasExited)
        {
            return false;
        }

        using var client = As("still-serving@firm.example", TimeSpan.FromSeconds(30));
        try
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var me = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
            return ready.IsSuccessStatusCode && me.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        await _database.DisposeAsync();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
