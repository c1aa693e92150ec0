using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Parley.Server.Platform.Logging;

/// <summary>
/// The server's console log: one JSON object per line (timestamp, level, category, event id, message, exception,
/// state, scopes — the request id among them), every string passed through <see cref="LogRedaction"/> first.
/// </summary>
internal sealed class RedactingJsonFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "parley-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var now = DateTimeOffset.UtcNow;
            json.WriteString("Timestamp", now.ToString(options.CurrentValue.TimestampFormat ?? "O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", logEntry.EventId.Id);
            json.WriteString("LogLevel", logEntry.LogLevel.ToString());
            json.WriteString("Category", logEntry.Category);
            json.WriteString("Message", LogRedaction.Redact(message ?? ""));
            if (logEntry.Exception is { } exception)
            {
                json.WriteString("Exception", LogRedaction.Redact(exception.ToString()));
            }
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state)
            {
                json.WriteStartObject("State");
                foreach (var (key, value) in state)
                {
                    json.WriteString(key, key == "{OriginalFormat}" ? value?.ToString() : LogRedaction.Redact(value?.ToString() ?? ""));
                }
                json.WriteEndObject();
            }
            if (options.CurrentValue.IncludeScopes && scopeProvider is not null)
            {
                json.WriteStartArray("Scopes");
                scopeProvider.ForEachScope(static (scope, writer) => WriteScope(writer, scope), json);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write(Environment.NewLine);
    }

    private static void WriteScope(Utf8JsonWriter json, object? scope)
    {
        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            json.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                json.WriteString(key, LogRedaction.Redact(value?.ToString() ?? ""));
            }
            json.WriteEndObject();
            return;
        }
        json.WriteStringValue(LogRedaction.Redact(scope?.ToString() ?? ""));
    }
}
