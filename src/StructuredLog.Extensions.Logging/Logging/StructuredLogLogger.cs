using System.Text;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// The <see cref="ILogger"/> handed out by <see cref="StructuredLogLoggerProvider"/>: checks the
/// StructuredLog level of its category, captures the state's properties and the template under
/// <c>{OriginalFormat}</c>, adds the external scopes, and writes one event through <c>Logger.Write</c> (typed states: the
/// overload with the call site's names array and typed values; other states: the one with
/// <see cref="LogProperty"/>s), the scopes' pairs beside it. Never throws into the application.
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
        // A state read typed ([LoggerMessage] methods, the LogInformation extensions): its values are written on the
        // stack and go into the ring cell beside its call site's names, without the per-thread buffer's property list.
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
            try
            {
                _provider.Scopes.Walk(ScopeCapture.Add, buffer);
            }
            catch (Exception ex)
            {
                buffer.AddScopeMessage("<scope could not be read: " + ex.GetType().Name + ">");
            }
            buffer.AddScopeMessagePair(ScopeCapture.ScopeProperty);
            _logger.Write(level, exception, template ?? "", buffer.Span, buffer.ScopePairs, eventId.Id, eventId.Name);
        }
        catch (Exception ex)
        {
            WriteFailed(ex);
        }
        finally
        {
            buffer.Return();
        }
    }

    /// <summary>
    /// Writes the event from the state's typed reader, its values on the stack and its scopes' pairs (gathered in
    /// the one walk that also finds whether there are any) beside them; false (nothing written) when this call site's
    /// states are read as a list, or when reading the state or the scopes threw: the buffer path then reads both again
    /// and writes the event with the failure marked.
    /// </summary>
    private bool TryWriteTyped<TState>(LoggerMessageState.Reader<TState> typed, LogLevel level, EventId eventId, in TState state, Exception? exception)
    {
        var values = new StateValues();
        string? template;
        string[]? names;
        try
        {
            // Reading a call site's shape goes through the state's list, which may throw (a LogInformation call with
            // fewer values than holes).
            if (!typed.TryRead(in state, values, out template, out names)) return false;
        }
        catch (Exception)
        {
            return false;
        }
        var buffer = PropertyBuffer.Rent();
        var scopes = _provider.Scopes;
        try
        {
            ScopePropertySnapshot? snapshot;
            try
            {
                // Inside the same scopes as the thread's previous event, the walk compares the pairs instead of copying
                // them, and the event takes their shared snapshot (docs/benchmarks-history.md, "Session 24", item 7).
                buffer.BeginScopes(scopes);
                scopes.Walk(ScopeCapture.Add, buffer);
                buffer.AddScopeMessagePair(ScopeCapture.ScopeProperty);
                snapshot = buffer.EndScopes(scopes);
            }
            catch (Exception)
            {
                return false;
            }
            // Values typed in the ring cell itself and the call site's names as one array: the parts beside the cell
            // are touched only for scope pairs, and not at all for a snapshot's.
            var typedValues = ((ReadOnlySpan<LogValue>)values)[..names.Length];
            if (snapshot is not null) _logger.WriteInScopes(level, exception, template ?? "", names, typedValues, snapshot, eventId.Id, eventId.Name);
            else _logger.Write(level, exception, template ?? "", names, typedValues, buffer.ScopePairs, eventId.Id, eventId.Name);
        }
        catch (Exception ex)
        {
            WriteFailed(ex);
        }
        finally
        {
            buffer.Return();
        }
        return true;
    }

    private void WriteFailed(Exception ex) =>
        Diagnostics.SelfLog.Write("Microsoft.Extensions.Logging", $"could not write an event of {_logger.Category}: {ex.GetType().Name}: {ex.Message}");

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
