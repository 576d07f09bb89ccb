using System.Globalization;
using Paliad.Api.Composition;

namespace Paliad.Api.Auth;

/// <summary><c>Paliad.Api token &lt;email&gt; [--sub &lt;uuid&gt;] [--hours &lt;n&gt;]</c>: prints a development token signed
/// with Auth:JwtSigningKey (what <c>./paliad token</c> runs).</summary>
internal static class TokenCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: token <email> [--sub <uuid>] [--hours <n>]");
            return 2;
        }

        Guid? sub = null;
        var hours = 24.0 * 30;
        for (var i = 1; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--sub":
                    sub = Guid.Parse(args[i + 1]);
                    break;
                case "--hours":
                    hours = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        var configuration = CommandConfiguration.Build();
        var options = AuthOptions.Read(configuration);
        Console.WriteLine(DevelopmentTokens.Mint(options, args[0], sub, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow));
        return 0;
    }
}
