using System.Diagnostics;
using System.Text;

namespace Paliad.IntegrationTests.Infrastructure;

/// <summary>The API's own executable (its build output in this repository), run as a process: what an operator runs
/// on a production host.</summary>
public static class ApiExecutable
{
    /// <summary>Runs <c>dotnet Paliad.Api.dll args…</c> until it exits (or, with <paramref name="stopWhen"/>, until its
    /// output says that, then stops it); returns the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? stopWhen = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(DllPath());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
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
        var finished = await Task.WhenAny(process.WaitForExitAsync(), seen.Task, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (finished != seen.Task)
            {
                Assert.Fail($"the API did not finish: {output}");
            }
        }

        await process.WaitForExitAsync();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    internal static string DllPath()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Paliad.sln")))
        {
            root = root.Parent;
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        return Path.Combine(root!.FullName, "src", "Paliad.Api", "bin", configuration, "net10.0", "Paliad.Api.dll");
    }
}
