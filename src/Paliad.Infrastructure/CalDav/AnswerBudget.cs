namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// The process-wide budget of CalDAV answer bytes held in memory at once (CalDav:MaxInFlightResponseBytes): every
/// answer body is reserved here before it is read and released when its response is disposed, so a crowd of large
/// answers — one tenant's or many — waits for room instead of taking the process's memory. Waiters are served in
/// arrival order, so a large reservation is not overtaken forever by small ones.
/// </summary>
/// <remarks>A request never waits while holding a reservation (see <see cref="CalDavTransportHandler"/>: an answer
/// that outgrows its first small reservation gives it back before asking for the large one), so waiting cannot
/// deadlock.</remarks>
public sealed class AnswerBudget(Func<long> capacity)
{
    private readonly LinkedList<Waiter> _waiters = [];
    private long _held;

    /// <summary>Bytes reserved right now (for telemetry and tests).</summary>
    public long Held
    {
        get
        {
            lock (_waiters)
            {
                return _held;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> (at most the whole budget), waiting for room.</summary>
    public async ValueTask<Reservation> ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        var size = Math.Clamp(bytes, 0, Math.Max(1, capacity()));
        Waiter waiter;
        lock (_waiters)
        {
            if (_waiters.Count == 0 && _held + size <= Math.Max(1, capacity()))
            {
                _held += size;
                return new Reservation(this, size);
            }

            waiter = new Waiter(size);
            waiter.Node = _waiters.AddLast(waiter);
        }

        await using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            await waiter.Granted.Task;
        }

        return new Reservation(this, size);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_waiters)
        {
            if (waiter.Node?.List is null)
            {
                return; // granted meanwhile: the caller gets (and releases) its reservation
            }

            _waiters.Remove(waiter.Node);
            Grant();
        }

        waiter.Granted.TrySetCanceled(cancellationToken);
    }

    private void Release(long bytes)
    {
        lock (_waiters)
        {
            _held -= bytes;
            Grant();
        }
    }

    /// <summary>Grants waiters in order while the first one fits (under the lock).</summary>
    private void Grant()
    {
        while (_waiters.First is { } first && _held + first.Value.Bytes <= Math.Max(1, capacity()))
        {
            _waiters.RemoveFirst();
            _held += first.Value.Bytes;
            first.Value.Granted.TrySetResult();
        }
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Bytes held until disposed (once).</summary>
    public sealed class Reservation(AnswerBudget? budget, long bytes) : IDisposable
    {
        private int _released;

        /// <summary>Holds nothing.</summary>
        public static Reservation None { get; } = new(null, 0);

        public long Bytes { get; } = bytes;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget?.Release(Bytes);
            }
        }
    }
}
