using System.Buffers;
using System.IO.Compression;
using System.Net.Http.Headers;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// Runs under the resilience pipeline, once per attempt, so the attempt's timeout covers the whole answer — headers
/// and body: a server that sends headers and then stalls, or drips its body a byte at a time, ends at that timeout
/// (and is retried like any other timeout). The body is read here, whole, within CalDav:MaxResponseBytes counted
/// after decompression, and with the decompressed/compressed ratio bounded by CalDav:MaxCompressionRatio (gzip,
/// deflate and br are decompressed here, not by the sockets handler, so both sides of the ratio are known). Behind a
/// configured proxy, the target host is judged by the SSRF guard before the request leaves.
/// </summary>
public sealed class CalDavTransportHandler(Func<CalDavOptions> options, AnswerBudget budget) : DelegatingHandler
{
    /// <summary>Most content codings one answer may stack (RFC 9110 allows a list; real servers send one).</summary>
    public const int MaxContentCodings = 2;

    private const int RatioGraceBytes = 1024 * 1024;

    /// <summary>What an answer of unknown length reserves first: most answers are small.</summary>
    private const long InitialReservationBytes = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = options();
        if (current.ProxyUri is not null && request.RequestUri is { } target)
        {
            // Through a proxy the sockets only see the proxy's address: the target is judged here instead. (The proxy
            // resolves the name again, so it should enforce its own egress policy against DNS rebinding.)
            try
            {
                await NetworkGuard.ResolveAllowedAsync(target.IdnHost, current.AllowPrivateNetworks, cancellationToken);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new HttpRequestException($"'{target.IdnHost}' could not be resolved: {e.Message}", e);
            }
        }

        if (request.Headers.AcceptEncoding.Count == 0)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("deflate"));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        }

        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            response.Content = await ReadWholeAsync(response, current, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpContent> ReadWholeAsync(HttpResponseMessage response, CalDavOptions options, CancellationToken cancellationToken)
    {
        var limit = options.MaxResponseBytes;
        var original = response.Content;
        var encodings = ContentCodings(original, response);
        var exactLength = encodings.Count == 0 ? original.Headers.ContentLength : null;
        if (exactLength > limit)
        {
            throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
        }

        // Room is reserved as bytes arrive, never ahead of them (a server announcing 16 MiB and dripping a byte a
        // second holds next to nothing): a small first reservation, doubled whenever the answer outgrows it — given
        // back before waiting for the larger one, so no request waits while holding room.
        var body = new BufferedAnswer(await budget.ReserveAsync(Math.Min(exactLength ?? InitialReservationBytes, Math.Min(InitialReservationBytes, limit)), cancellationToken));
        try
        {
            await using var raw = await original.ReadAsStreamAsync(cancellationToken);
            var counted = new CountingStream(raw);
            await using var decoded = Decoder(encodings, counted);
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await decoded.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (body.Length + read > limit)
                    {
                        throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
                    }

                    if (body.Length + read > body.Reserved)
                    {
                        var doubled = Math.Max(body.Reserved * 2, body.Length + read);
                        await body.GrowAsync(budget, Math.Min(exactLength is { } length ? Math.Min(doubled, length) : doubled, limit), cancellationToken);
                    }

                    body.Append(chunk.AsSpan(0, read));
                    if (!ReferenceEquals(decoded, counted) && body.Length > RatioGraceBytes
                        && body.Length > (double)Math.Max(1, counted.BytesRead) * Math.Max(1, options.MaxCompressionRatio))
                    {
                        throw new CalDavInvalidResponseException(
                            $"The answer decompresses more than {options.MaxCompressionRatio} times its size (a compression bomb?).", response.StatusCode);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
        catch (Exception e)
        {
            body.Dispose();
            if (e is IOException or InvalidDataException)
            {
                // A connection broken mid-body (or a corrupt compressed stream) is a transport failure: retried.
                throw new HttpRequestException($"The connection broke while reading the answer: {e.Message}", e);
            }

            throw;
        }

        foreach (var header in original.Headers.Where(h => h.Key is not ("Content-Encoding" or "Content-Length")))
        {
            body.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        original.Dispose();
        return body;
    }

    /// <summary>The answer's content codings, outermost last: at most <see cref="MaxContentCodings"/>, each one this
    /// handler decodes — judged on the raw header, before a single decompressor is built (a stack of thousands of
    /// decoders is memory no answer may take).</summary>
    private static List<string> ContentCodings(HttpContent content, HttpResponseMessage response)
    {
        var codings = new List<string>();
        if (!content.Headers.NonValidated.TryGetValues("Content-Encoding", out var values))
        {
            return codings;
        }

        foreach (var value in values)
        {
            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var coding = token.ToLowerInvariant();
                if (coding is not ("gzip" or "x-gzip" or "deflate" or "br" or "identity"))
                {
                    throw new CalDavInvalidResponseException($"The answer uses an unsupported Content-Encoding '{Clip(token)}'.", response.StatusCode);
                }

                if (coding != "identity")
                {
                    codings.Add(coding);
                }

                if (codings.Count > MaxContentCodings)
                {
                    throw new CalDavInvalidResponseException($"The answer stacks more than {MaxContentCodings} content codings.", response.StatusCode);
                }

                if (coding == "br" && codings.Count(c => c == "br") > 1)
                {
                    // Each Brotli decoder may hold a window of up to 16 MiB outside any managed budget.
                    throw new CalDavInvalidResponseException("The answer stacks Brotli on Brotli.", response.StatusCode);
                }
            }
        }

        return codings;
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static Stream Decoder(List<string> codings, Stream raw)
    {
        var stream = raw;
        for (var i = codings.Count - 1; i >= 0; i--)
        {
            stream = codings[i] switch
            {
                "gzip" or "x-gzip" => new GZipStream(stream, CompressionMode.Decompress),
                "deflate" => new ZLibStream(stream, CompressionMode.Decompress),
                _ => new BrotliStream(stream, CompressionMode.Decompress),
            };
        }

        return stream;
    }

    /// <summary>Counts the bytes that came off the wire.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
