using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>Writes log entries as logfmt lines (<c>ts=… level=info source=JobRunner msg="…" JobId=5</c>): one line per
/// entry, the message's named values as keys, so both people and log shippers can read them. The writer is
/// shared and not owned: the agent writes the same lines to stdout and to <c>WORK/agent.log</c>.</summary>
public sealed class LogfmtLoggerProvider(TextWriter writer, TimeProvider time, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LogfmtLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    private bool IsEnabled(LogLevel level) => level >= minimum && level != LogLevel.None;

    private void Write(LogLevel level, string source, string message, IEnumerable<KeyValuePair<string, object?>> values, Exception? exception)
    {
        var line = Format(time.GetUtcNow(), level, source, message, values, exception);
        lock (writer)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (writer)
        {
            writer.Flush();
        }
    }

    /// <summary>One formatted line, without the newline.</summary>
    public static string Format(DateTimeOffset at, LogLevel level, string source, string message, IEnumerable<KeyValuePair<string, object?>> values, Exception? exception)
    {
        var line = new StringBuilder(128);
        line.Append("ts=").Append(at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        line.Append(" level=").Append(level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "fatal",
        });
        line.Append(" source=").Append(Value(source));
        line.Append(" msg=").Append(Value(message));
        foreach (var (key, value) in values)
        {
            if (key != "{OriginalFormat}" && key.Length > 0)
            {
                line.Append(' ').Append(key).Append('=').Append(Value(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
            }
        }

        if (exception is not null)
        {
            line.Append(" error=").Append(Value(exception.GetType().Name + ": " + exception.Message));
        }

        return line.ToString();
    }

    private static string Value(string text)
    {
        if (text.Length > 0 && !text.Any(c => c is ' ' or '"' or '=' or '\\' || char.IsControl(c)))
        {
            return text;
        }

        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\r' => quoted.Append("\\r"),
                '\t' => quoted.Append("\\t"),
                _ when char.IsControl(c) => quoted.Append(' '),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    private sealed class LogfmtLogger(LogfmtLoggerProvider provider, string source) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            provider.Write(logLevel, source, formatter(state, exception), state as IEnumerable<KeyValuePair<string, object?>> ?? [], exception);
        }
    }
}
