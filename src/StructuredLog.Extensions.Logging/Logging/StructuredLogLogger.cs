using System.Text;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// The <see cref="ILogger"/> handed out by <see cref="StructuredLogLoggerProvider"/>: checks the
/// StructuredLog level of its category, captures the state's properties and the template under
/// <c>{OriginalFormat}</c>, adds the external scopes, and writes one event through
/// <see cref="Logger.Write"/>. Never throws into the application.
/// </summary>
internal sealed class StructuredLogLogger : ILogger
{
    private readonly Logger _logger;
    private readonly StructuredLogLoggerProvider _provider;

    public StructuredLogLogger(Logger logger, StructuredLogLoggerProvider provider)
    {
        _logger = logger;
        _provider = provider;
    }

    public Logger Inner => _logger;

    // MEL and StructuredLog number Trace..Critical/Fatal alike (0..5); None and anything else is never enabled.
    public bool IsEnabled(MelLevel logLevel) => (uint)logLevel < (uint)MelLevel.None && _logger.IsEnabled((LogLevel)(int)logLevel);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _provider.ScopeProvider.Push(state);

    public void Log<TState>(MelLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == MelLevel.None) return;
        var level = LevelMapping.ToStructuredLog(logLevel);
        if (!_logger.IsEnabled(level)) return;
        // A LoggerMessage.Define state ([LoggerMessage] methods) with no scope to add: its properties are written
        // on the stack and handed to the ring from there, without the per-thread buffer.
        if (StateCapture.Typed<TState>() is { } typed && TryWriteTyped(typed, level, eventId, in state, exception)) return;
        var buffer = PropertyBuffer.Rent();
        try
        {
            string? template;
            try
            {
                template = StateCapture.Read(in state, buffer);
                template ??= EscapeBraces(formatter is null ? state?.ToString() : formatter(state, exception));
            }
            catch (Exception ex)
            {
                // A state whose enumeration or formatting throws still yields an event, with the failure marked.
                buffer.Return();
                buffer = PropertyBuffer.Rent();
                buffer.Add(new LogProperty("StateError", LogValue.From(ex.GetType().Name + ": " + ex.Message)));
                template = "<state could not be captured: {StateError}>";
            }
            buffer.StateCount = buffer.Count;
            try
            {
                _provider.ScopeProvider.ForEachScope(ScopeCapture.Add, buffer);
            }
            catch (Exception ex)
            {
                buffer.AddScopeMessage("<scope could not be read: " + ex.GetType().Name + ">");
            }
            if (buffer.ScopeMessages is { Count: > 0 } messages && buffer.IndexOf(ScopeCapture.ScopeProperty, 0) < 0)
            {
                buffer.Add(new LogProperty(ScopeCapture.ScopeProperty, LogValue.From(messages.Count == 1 ? messages[0] : string.Join(" => ", messages))));
            }
            _logger.Write(level, exception, template ?? "", buffer.Span, eventId.Id, eventId.Name);
        }
        catch (Exception ex)
        {
            Diagnostics.SelfLog.Write("Microsoft.Extensions.Logging", $"could not write an event of {_logger.Category}: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>
    /// Writes the event from the state's typed reader when no scope is active; false (nothing written) when a
    /// scope is, or when this call site's states are read as a list.
    /// </summary>
    private bool TryWriteTyped<TState>(LoggerMessageState.Reader<TState> typed, LogLevel level, EventId eventId, in TState state, Exception? exception)
    {
        try
        {
            // A provider whose scopes cannot be read: the buffer path writes the event with that failure marked.
            if (ScopeProbe.Any(_provider.ScopeProvider)) return false;
        }
        catch (Exception)
        {
            return false;
        }
        var properties = new StateProperties();
        string? template;
        int count;
        try
        {
            if (!typed.TryRead(in state, properties, out template, out count)) return false;
        }
        catch (Exception)
        {
            // Reading a call site's shape goes through the state's list, which may throw (a LogInformation call with
            // fewer values than holes): the buffer path reads it again and writes the event with the failure marked.
            return false;
        }
        try
        {
            _logger.Write(level, exception, template ?? "", ((ReadOnlySpan<LogProperty>)properties)[..count], eventId.Id, eventId.Name);
        }
        catch (Exception ex)
        {
            Diagnostics.SelfLog.Write("Microsoft.Extensions.Logging", $"could not write an event of {_logger.Category}: {ex.GetType().Name}: {ex.Message}");
        }
        return true;
    }

    /// <summary>Whether the scope provider holds any scope (an Activity counts when MEL tracks it), without gathering them.</summary>
    private static class ScopeProbe
    {
        [ThreadStatic] private static Found? t_found;

        private static readonly Action<object?, Found> s_mark = static (_, found) => found.Any = true;

        public static bool Any(IExternalScopeProvider scopes)
        {
            var found = t_found ??= new Found();
            found.Any = false;
            scopes.ForEachScope(s_mark, found);
            return found.Any;
        }

        private sealed class Found
        {
            public bool Any;
        }
    }

    /// <summary>A plain message (no template) must not be read as one: braces become literal.</summary>
    internal static string EscapeBraces(string? message)
    {
        if (string.IsNullOrEmpty(message)) return "";
        if (message.AsSpan().IndexOfAny('{', '}') < 0) return message;
        var sb = new StringBuilder(message.Length + 8);
        foreach (char c in message)
        {
            sb.Append(c);
            if (c is '{' or '}') sb.Append(c);
        }
        return sb.ToString();
    }
}
