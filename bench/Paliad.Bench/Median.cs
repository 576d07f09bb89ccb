using System.Globalization;
using System.Text.Json;

namespace Paliad.Bench;

/// <summary>One row of a run's table, as written to <c>PALIAD_BENCH_ROWS</c> (JSON lines).</summary>
internal sealed record TableRow(string Scenario, string Result, string Baseline, double? Ratio, double? Goal, string Detail);

/// <summary><c>Paliad.Bench median run1.jsonl run2.jsonl …</c>: per scenario, the row of the run whose ratio is the
/// median, with every run's ratio beside it — one figure to quote, and the spread it came from.</summary>
internal static class Median
{
    public static int Print(IReadOnlyList<string> files)
    {
        var runs = files.Select(file => File.ReadAllLines(file).Where(line => line.Length > 0).Select(line => JsonSerializer.Deserialize<TableRow>(line)!).ToList()).ToList();
        var table = new Table(echo: false);
        foreach (var scenario in runs.SelectMany(rows => rows.Select(r => r.Scenario)).Distinct(StringComparer.Ordinal))
        {
            var rows = runs.Select(rows => rows.FirstOrDefault(r => r.Scenario == scenario)).OfType<TableRow>().ToList();
            var measured = rows.Where(r => r.Ratio is not null).OrderBy(r => r.Ratio).ToList();
            var median = measured.Count > 0 ? measured[(measured.Count - 1) / 2] : rows[0];
            var spread = measured.Count > 1
                ? $" [median of {measured.Count} runs; ratios {string.Join(", ", measured.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Ratio:F2}x")))}]"
                : "";
            table.Add(median with { Detail = median.Detail + spread });
        }

        Console.WriteLine($"Median of {files.Count} run(s):");
        table.Print();
        return 0;
    }
}
