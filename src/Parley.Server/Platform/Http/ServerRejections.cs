using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Http;

/// <summary>
/// Requests the web server refuses before the application sees them — a NUL or other control character in the URL, a
/// request line over <c>MaxRequestLineSize</c>, headers over <c>MaxRequestHeadersTotalSize</c> or more than
/// <c>MaxRequestHeaderCount</c>, malformed HTTP — get the error envelope too, as conventions.md wants of every 4xx.
/// Kestrel answers those with a body-less response and closes the connection, and offers no hook to change it; so a
/// connection middleware watches what goes out, and a response that starts while no request of the connection is in
/// the application (<see cref="UseRequestTracking"/>) — which can only be Kestrel's own — is replaced by a catalog
/// error: <c>VALIDATION_ERROR</c> (400) naming <c>url</c>, <c>headers</c> or <c>request</c>, or the 5xx it was.
/// </summary>
internal static class ServerRejections
{
    /// <summary>Adds the rewrite to every endpoint Kestrel listens on.</summary>
    public static void UseEnvelopes(ListenOptions listen, Ids ids, KestrelServerLimits limits) =>
        listen.Use(next => async connection =>
        {
            var state = new ConnectionState();
            connection.Items[typeof(ConnectionState)] = state;
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(transport.Input, new RejectionWriter(transport.Output, state, ids, limits));
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = transport;
            }
        });

    /// <summary>Marks a connection's request as the application's from its first middleware until its response completed.</summary>
    public static IApplicationBuilder UseRequestTracking(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(typeof(ConnectionState), out var value) == true
                && value is ConnectionState state)
            {
                state.InApplication = true;
                context.Response.OnCompleted(static s =>
                {
                    ((ConnectionState)s).InApplication = false;
                    return Task.CompletedTask;
                }, state);
            }
            return next(context);
        });

    private sealed class ConnectionState
    {
        public volatile bool InApplication;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }

    /// <summary>Passes every write through, except Kestrel's own error responses, which it replaces.</summary>
    private sealed class RejectionWriter(PipeWriter inner, ConnectionState state, Ids ids, KestrelServerLimits limits) : PipeWriter
    {
        private static readonly byte[] StatusLinePrefix = "HTTP/1."u8.ToArray();
        private Memory<byte> _last;
        private bool _swallow;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _swallow ? new byte[Math.Max(sizeHint, 256)] : _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            if (_swallow)
            {
                return;
            }
            if (!state.InApplication && ReplacementFor(_last.Span[..bytes]) is { } replacement)
            {
                // The original bytes sit uncommitted in the memory handed out; the replacement takes their place.
                _swallow = true;
                inner.Write(replacement);
                return;
            }
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        private byte[]? ReplacementFor(ReadOnlySpan<byte> written)
        {
            if (!written.StartsWith(StatusLinePrefix) || written.Length < 12 || !int.TryParse(written.Slice(9, 3), out var status) || status < 400)
            {
                return null;
            }
            var head = Encoding.ASCII.GetString(written);
            if (head.Contains("\r\nX-Request-Id:", StringComparison.OrdinalIgnoreCase))
            {
                return null; // the application's answer after all
            }
            var error = status switch
            {
                StatusCodes.Status414UriTooLong => ApiErrors.Validation("url", $"the request line is over {limits.MaxRequestLineSize} bytes"),
                StatusCodes.Status431RequestHeaderFieldsTooLarge => ApiErrors.Validation("headers",
                    $"the headers are over {limits.MaxRequestHeadersTotalSize} bytes or more than {limits.MaxRequestHeaderCount}"),
                StatusCodes.Status503ServiceUnavailable => ApiErrors.Unavailable(),
                >= 500 => new ApiException(ErrorCodes.InternalError),
                _ => ApiErrors.Validation("request", "not a well-formed HTTP/1.1 request (a URL or header holds a control character such as NUL, or the request is malformed)"),
            };
            var requestId = ids.New("req");
            var body = JsonSerializer.SerializeToUtf8Bytes(ErrorWriter.Envelope(error, requestId, details: null), ParleyJson.Options);
            var reason = error.Status switch { 400 => "Bad Request", 503 => "Service Unavailable", _ => "Internal Server Error" };
            var response = new StringBuilder()
                .Append("HTTP/1.1 ").Append(error.Status).Append(' ').Append(reason).Append("\r\n")
                .Append("Content-Type: application/json; charset=utf-8\r\n")
                .Append("Content-Length: ").Append(body.Length).Append("\r\n")
                .Append("Connection: close\r\n")
                .Append("Date: ").Append(DateTime.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n")
                .Append(ParleyHeaders.ErrorCode).Append(": ").Append(error.Code).Append("\r\n")
                .Append(ParleyHeaders.RequestId).Append(": ").Append(requestId).Append("\r\n\r\n");
            return [.. Encoding.ASCII.GetBytes(response.ToString()), .. body];
        }
    }
}
