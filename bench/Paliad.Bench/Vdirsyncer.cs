using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Paliad.Bench;

/// <summary>vdirsyncer (0.19, from Debian) as a contestant: the common command-line tool for mirroring one CalDAV
/// calendar into a folder of .ics files, so the engine's numbers have an outside reference. Each sync is a fresh
/// process, as a cron job or a user runs it.</summary>
internal sealed class VdirsyncerContestant : IAsyncDisposable
{
    // --no-list: discover otherwise also lists every collection on both sides, which the bench does not need.
    private static readonly string[] Discover = ["discover", "--no-list"];
    private static readonly string[] Sync = ["sync"];

    private readonly string _executable;
    private readonly string _directory;
    private readonly string _config;

    private VdirsyncerContestant(string executable, string directory)
    {
        _executable = executable;
        _directory = directory;
        _config = Path.Combine(directory, "config");
    }

    /// <summary>A temp directory with a config pairing the one calendar with a local folder, discovered and synced
    /// once (set-up, not measured); null when vdirsyncer is not installed, so the bench runs without it.</summary>
    public static async Task<VdirsyncerContestant?> PrepareAsync(Uri server, string calendarPath, string username, string password)
    {
        var executable = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "vdirsyncer"))
            .FirstOrDefault(File.Exists);
        if (executable is null)
        {
            await Console.Error.WriteLineAsync("vdirsyncer is not on PATH: the vdirsyncer contestant is skipped (apt-get install vdirsyncer)");
            return null;
        }

        var contestant = new VdirsyncerContestant(executable, Directory.CreateTempSubdirectory("paliad-vdirsyncer-").FullName);
        try
        {
            var local = Path.Combine(contestant._directory, "calendar");

            // An absent local folder makes discover ask "Should vdirsyncer attempt to create it?".
            Directory.CreateDirectory(local);

            // Values are JSON. collections = null with the caldav url on the collection itself: exactly that one
            // calendar, no discovery of the others. "a wins": a conflict never stops a sync to ask.
            var config = $"""
                [general]
                status_path = {Json(Path.Combine(contestant._directory, "status"))}

                [pair paliad_bench]
                a = "paliad_bench_remote"
                b = "paliad_bench_local"
                collections = null
                conflict_resolution = "a wins"

                [storage paliad_bench_remote]
                type = "caldav"
                url = {Json(new Uri(server, calendarPath).AbsoluteUri)}
                username = {Json(username)}
                password = {Json(password)}

                [storage paliad_bench_local]
                type = "filesystem"
                path = {Json(local)}
                fileext = ".ics"

                """;
            await File.WriteAllTextAsync(contestant._config, config);
            await contestant.RunAsync(Discover);
            await contestant.RunAsync(Sync);
            return contestant;
        }
        catch
        {
            await contestant.DisposeAsync();
            throw;
        }
    }

    /// <summary>One `vdirsyncer sync`, start to exit, in seconds: what a user waits for, Python start-up included.</summary>
    public Task<double> SyncSecondsAsync() => RunAsync(Sync);

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static string Json(string value) => JsonSerializer.Serialize(value);

    private async Task<double> RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(_config);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var watch = Stopwatch.StartNew();
        process.Start();

        // Nothing to answer: an unexpected prompt reads end of input and fails the run instead of hanging the bench.
        process.StandardInput.Close();

        // Both pipes drained while it runs (vdirsyncer logs every item to stderr), so it never blocks on a full one.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        await output;
        var stderr = await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"vdirsyncer {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Trim()}"));
        }

        return seconds;
    }
}
