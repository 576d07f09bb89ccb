using System.Buffers;
using System.Net;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// An answer body read whole, held in pooled 64 KiB segments (no doubling buffer, no large-object-heap copies, no
/// <c>ToArray</c>) under a reservation of the process's <see cref="AnswerBudget"/>. Readers parse it as a stream;
/// disposing the response gives the segments back and releases the reservation.
/// </summary>
internal sealed class BufferedAnswer : HttpContent
{
    private const int SegmentBytes = 64 * 1024;

    /// <summary>Segments are reused, not left to the collector: answers live long enough (seconds) to be promoted, so
    /// fresh segments for every answer would pile up in the oldest generation between its rare collections. The pool
    /// keeps at most the default in-flight budget's worth (128 MiB); beyond it, returned segments are left to the
    /// collector.</summary>
    private static readonly ArrayPool<byte> Segments = ArrayPool<byte>.Create(SegmentBytes, 2048);

    private readonly List<byte[]> _segments = [];
    private AnswerBudget.Reservation _reservation;
    private long _length;
    private int _disposed;

    public BufferedAnswer(AnswerBudget.Reservation reservation) => _reservation = reservation;

    public long Length => _length;

    /// <summary>Bytes this answer may grow to before it needs a larger reservation.</summary>
    public long Reserved => _reservation.Bytes;

    /// <summary>Gives the reservation back, then waits for a larger one: never waits while holding bytes.</summary>
    public async Task GrowAsync(AnswerBudget budget, long bytes, CancellationToken cancellationToken)
    {
        _reservation.Dispose();
        _reservation = AnswerBudget.Reservation.None;
        _reservation = await budget.ReserveAsync(bytes, cancellationToken);
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var offset = (int)(_length % SegmentBytes);
            if (offset == 0)
            {
                _segments.Add(Segments.Rent(SegmentBytes));
            }

            var room = SegmentBytes - offset;
            var take = Math.Min(room, bytes.Length);
            bytes[..take].CopyTo(_segments[^1].AsSpan(offset, take));
            _length += take;
            bytes = bytes[take..];
        }
    }

    /// <summary>The first bytes of the answer as UTF-8 text, without consuming it (a fresh reader, not the content's
    /// cached stream): to tell one kind of refusal from another before the answer is read as usual.</summary>
    public string Peek(int maxBytes)
    {
        var buffer = new byte[(int)Math.Min(maxBytes, _length)];
        using var reader = new Reader(this);
        var read = 0;
        while (read < buffer.Length && reader.Read(buffer.AsSpan(read)) is var n and > 0)
        {
            read += n;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var left = _length;
        foreach (var segment in _segments)
        {
            var take = (int)Math.Min(left, SegmentBytes);
            await stream.WriteAsync(segment.AsMemory(0, take), cancellationToken);
            left -= take;
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new Reader(this));

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var segment in _segments)
            {
                Segments.Return(segment);
            }

            _segments.Clear();
            _length = 0;
            _reservation.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the segments in order.</summary>
    private sealed class Reader(BufferedAnswer answer) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => answer._length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(answer._disposed != 0, answer);
            var left = answer._length - _position;
            if (left <= 0 || buffer.IsEmpty)
            {
                return 0;
            }

            var offset = (int)(_position % SegmentBytes);
            var take = (int)Math.Min(Math.Min(SegmentBytes - offset, left), buffer.Length);
            answer._segments[(int)(_position / SegmentBytes)].AsSpan(offset, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
