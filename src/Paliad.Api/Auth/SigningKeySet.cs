using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Paliad.Api.Auth;

/// <summary>
/// The sign-in provider's published key set (Auth:JwksUrl — Supabase's asymmetric keys), parsed by
/// Microsoft.IdentityModel's <see cref="JsonWebKeySet"/>. Fetched at start and then on a schedule
/// (Auth:JwksRefreshMinutes) by <see cref="SigningKeyRefresher"/>; a token whose <c>kid</c> the set does not hold asks
/// for it once more, at most once per Auth:JwksUnknownKeyRefreshSeconds, so made-up kids cannot hammer the provider.
/// A failed fetch keeps the keys already held: an outage of the provider does not sign anybody out.
/// </summary>
public sealed class SigningKeySet(IHttpClientFactory httpClients, AuthOptions options, TimeProvider time, ILogger<SigningKeySet> logger) : IDisposable
{
    public const string HttpClientName = "jwks";

    /// <summary>A key set is a few keys; anything larger than this is not one.</summary>
    public const int MaxKeySetBytes = 64 * 1024;

    private static readonly TimeSpan FirstFetchWait = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly Lock _askGate = new();
    private volatile Held? _held;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _lastAskedForUnknownKey;
    private int _fetches;

    private sealed record Held(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset FetchedAt);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.JwksUrl);

    /// <summary>How many times the set was fetched (successfully or not): for diagnostics and tests.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>When the keys held were fetched (null: none yet).</summary>
    public DateTimeOffset? FetchedAt => _held?.FetchedAt;

    /// <summary>Before a token is validated: when it names a key the set does not hold (or nothing is held yet),
    /// asks the provider again — unless that was done less than the minimum interval ago.</summary>
    public async Task PrepareForAsync(string? keyId, CancellationToken cancellationToken)
    {
        if (!IsConfigured || string.IsNullOrEmpty(keyId))
        {
            return;
        }

        if (_held is null)
        {
            // The first fetch (at start) may still be on its way: a key it brings is not unknown.
            try
            {
                await _firstAttempt.Task.WaitAsync(FirstFetchWait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }

        var held = _held;
        if (held is not null && held.Keys.Any(k => k.Kid == keyId))
        {
            return;
        }

        lock (_askGate)
        {
            var now = time.GetUtcNow();
            if (_lastAskedForUnknownKey is { } last && now - last < options.UnknownKeyRefreshInterval)
            {
                return;
            }

            _lastAskedForUnknownKey = now;
        }

        // The fetch is the process's, not the request's: a request that goes away must not cancel it (and with it the
        // minute's only chance to learn a rotated key). The request waits for it only as long as it lives.
        await RefreshAsync(CancellationToken.None).WaitAsync(cancellationToken);
    }

    /// <summary>Fetches the set; on any failure keeps what is held (and says so in the log). True when it was fetched.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref _fetches);
            var keys = await FetchAsync(cancellationToken);
            _held = new Held(keys, time.GetUtcNow());
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or ArgumentException or InvalidOperationException
                                      or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFetchFailed(logger, options.JwksUrl ?? string.Empty, _held?.Keys.Count ?? 0, e.Message, null);
            return false;
        }
        finally
        {
            _fetching.Release();
            _firstAttempt.TrySetResult();
        }
    }

    private async Task<IReadOnlyList<JsonWebKey>> FetchAsync(CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, options.JwksUrl);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync(cancellationToken);
        var set = new JsonWebKeySet(json);

        // Only keys that sign (no "use", or "use": "sig"), with an id to be found by.
        return set.Keys.Where(k => !string.IsNullOrEmpty(k.Kid) && (string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig)).ToList();
    }

    /// <summary>The keys a token may have been signed with: for HS256 the shared secret (nothing else); for ES256 and
    /// RS256 the published key of its <c>kid</c>, and only when that key's type (and curve, and stated algorithm) is
    /// the token's. Nothing else is tried, so a public key can never serve as an HMAC secret (algorithm confusion).</summary>
    public IEnumerable<SecurityKey> KeysFor(SecurityToken token, string? keyId, SecurityKey? sharedSecret)
    {
        var algorithm = (token as JsonWebToken)?.Alg;
        if (algorithm == SecurityAlgorithms.HmacSha256)
        {
            return sharedSecret is null ? [] : [sharedSecret];
        }

        var held = _held;
        if (held is null || string.IsNullOrEmpty(keyId) || algorithm is not (SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.RsaSha256))
        {
            return [];
        }

        return held.Keys.Where(k => k.Kid == keyId && Fits(k, algorithm)).ToList();
    }

    public void Dispose() => _fetching.Dispose();

    private static bool Fits(JsonWebKey key, string algorithm)
        => (string.IsNullOrEmpty(key.Alg) || key.Alg == algorithm)
           && algorithm switch
           {
               SecurityAlgorithms.EcdsaSha256 => key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P256,
               SecurityAlgorithms.RsaSha256 => key.Kty == JsonWebAlgorithmsKeyTypes.RSA,
               _ => false,
           };

    private static readonly Action<ILogger, string, int, string, Exception?> LogFetchFailed = LoggerMessage.Define<string, int, string>(
        LogLevel.Warning, new EventId(1, "KeySetFetchFailed"),
        "The sign-in key set at {JwksUrl} could not be fetched; {HeldKeys} keys fetched earlier stay in use: {Reason}");
}

/// <summary>Fetches the key set at start and then every Auth:JwksRefreshMinutes (sooner again after a failure).</summary>
public sealed class SigningKeyRefresher(SigningKeySet keys, AuthOptions options, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!keys.IsConfigured)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = await keys.RefreshAsync(stoppingToken) ? options.KeySetRefreshInterval : AfterFailure;
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
