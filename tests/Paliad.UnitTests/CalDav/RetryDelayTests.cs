using System.Net;
using Paliad.Infrastructure.CalDav;
using Polly;

namespace Paliad.UnitTests.CalDav;

/// <summary>How long the CalDAV pipeline waits before a retry (null: exponential backoff with jitter).</summary>
public sealed class RetryDelayTests
{
    private static readonly HttpRequestException DroppedConnection = new(HttpRequestError.ResponseEnded, "The response ended prematurely.");

    [Test]
    public void A_kept_alive_connection_the_server_had_closed_is_retried_at_once_the_first_time()
    {
        Assert.That(CalDavHttp.RetryDelay(Outcome.FromException<HttpResponseMessage>(DroppedConnection), 0), Is.EqualTo(TimeSpan.Zero));
        Assert.That(CalDavHttp.RetryDelay(Outcome.FromException<HttpResponseMessage>(
            new HttpRequestException("An error occurred while sending the request.", new HttpIOException(HttpRequestError.ResponseEnded))), 0), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_connection_dropped_again_waits_like_any_failure()
        => Assert.That(CalDavHttp.RetryDelay(Outcome.FromException<HttpResponseMessage>(DroppedConnection), 1), Is.Null);

    [Test]
    public void Other_transport_failures_wait()
        => Assert.That(CalDavHttp.RetryDelay(Outcome.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused")), 0), Is.Null);

    [Test]
    public void A_server_that_says_when_to_come_back_is_waited_for()
    {
        using var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        using var failing = new HttpResponseMessage(HttpStatusCode.InternalServerError);

        Assert.That(CalDavHttp.RetryDelay(Outcome.FromResult(busy), 0), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(CalDavHttp.RetryDelay(Outcome.FromResult(failing), 0), Is.Null);
    }
}
