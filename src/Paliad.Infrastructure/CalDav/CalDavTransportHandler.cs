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
public sealed class CalDavTransportHandler(Func<CalDavOptions> options) : DelegatingHandler
{
    private const int RatioGraceBytes = 1024 * 1024;

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

    private static async Task<HttpContent> ReadWholeAsync(HttpResponseMessage response, CalDavOptions options, CancellationToken cancellationToken)
    {
        var limit = options.MaxResponseBytes;
        var original = response.Content;
        if (original.Headers.ContentLength > limit && original.Headers.ContentEncoding.Count == 0)
        {
            throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
        }

        byte[] body;
        try
        {
            await using var raw = await original.ReadAsStreamAsync(cancellationToken);
            var counted = new CountingStream(raw);
            await using var decoded = Decoder(original.Headers.ContentEncoding, counted, response);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await decoded.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new CalDavInvalidResponseException($"The answer is larger than {limit} bytes.", response.StatusCode);
                }

                buffer.Write(chunk, 0, read);
                if (!ReferenceEquals(decoded, counted) && buffer.Length > RatioGraceBytes
                    && buffer.Length > (double)Math.Max(1, counted.BytesRead) * Math.Max(1, options.MaxCompressionRatio))
                {
                    throw new CalDavInvalidResponseException(
                        $"The answer decompresses more than {options.MaxCompressionRatio} times its size (a compression bomb?).", response.StatusCode);
                }
            }

            body = buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // A connection broken mid-body (or a corrupt compressed stream) is a transport failure: retried.
            throw new HttpRequestException($"The connection broke while reading the answer: {e.Message}", e);
        }

        var content = new ByteArrayContent(body);
        foreach (var header in original.Headers.Where(h => h.Key is not ("Content-Encoding" or "Content-Length")))
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        original.Dispose();
        return content;
    }

    private static Stream Decoder(ICollection<string> encodings, Stream raw, HttpResponseMessage response)
    {
        var stream = raw;
        foreach (var encoding in encodings.Reverse())
        {
            stream = encoding.Trim().ToLowerInvariant() switch
            {
                "gzip" or "x-gzip" => new GZipStream(stream, CompressionMode.Decompress),
                "deflate" => new ZLibStream(stream, CompressionMode.Decompress),
                "br" => new BrotliStream(stream, CompressionMode.Decompress),
                "identity" or "" => stream,
                var other => throw new CalDavInvalidResponseException($"The answer uses an unsupported Content-Encoding '{other}'.", response.StatusCode),
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
