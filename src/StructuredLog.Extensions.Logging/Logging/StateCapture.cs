using System.Collections.Concurrent;
using System.Reflection;
using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// Reads the state passed to <c>ILogger.Log&lt;TState&gt;</c>. States produced by <c>[LoggerMessage]</c>
/// methods, <c>LoggerMessage.Define</c> and the <c>LogInformation("... {X}", x)</c> extensions all
/// implement <c>IReadOnlyList&lt;KeyValuePair&lt;string, object?&gt;&gt;</c> with the template under
/// <c>{OriginalFormat}</c>. For value-type states the list is read through a delegate bound once per
/// state type, so the state itself is never boxed. MEL's indexer boxes each value-type value (the contract of
/// the interface); the states of <c>LoggerMessage.Define</c>, which <c>[LoggerMessage]</c> methods create, are
/// read field by field instead (<see cref="LoggerMessageState"/>), so those calls allocate nothing; the
/// extensions' state (<c>FormattedLogValues</c>, whose values MEL has already boxed) is read from its values array.
/// </summary>
internal static class StateCapture
{
    /// <summary>The key under which MEL stores the message template.</summary>
    public const string OriginalFormat = "{OriginalFormat}";

    private static readonly StrippedNames s_strippedNames = new(4096);

    /// <summary>Adds the state's properties to <paramref name="buffer"/>; returns the template, or null when the state carries none.</summary>
    public static string? Read<TState>(in TState state, PropertyBuffer buffer)
    {
        if (StateReader<TState>.Reader is { } reader) return reader(in state, buffer);
        if (state is IReadOnlyList<KeyValuePair<string, object?>> list) return ReadList(in list, buffer);
        return null;
    }

    /// <summary>The field-by-field reader of <typeparamref name="TState"/> (<see cref="LoggerMessageState"/>), or null when its states are read as a list.</summary>
    internal static LoggerMessageState.Reader<TState>? Typed<TState>() => StateReader<TState>.Typed;

    /// <summary>True when states of <typeparamref name="TState"/> are read field by field, for tests.</summary>
    internal static bool ReadsTyped<TState>() => StateReader<TState>.Typed is not null;

    internal static string? ReadList<TList>(in TList state, PropertyBuffer buffer)
        where TList : IReadOnlyList<KeyValuePair<string, object?>>
    {
        string? template = null;
        int count = state.Count;
        for (int i = 0; i < count; i++)
        {
            var pair = state[i];
            string name = pair.Key;
            if (name is null) continue;
            if (name == OriginalFormat)
            {
                template = pair.Value as string;
                continue;
            }
            (name, bool destructure) = PropertyName(name);
            buffer.Add(new LogProperty(name, LogValue.FromObject(pair.Value), null, destructure));
        }
        return template;
    }

    /// <summary>A state key as a property name: <c>@Name</c> (destructure) and <c>$Name</c> (stringify) lose their prefix.</summary>
    internal static (string Name, bool Destructure) PropertyName(string key)
    {
        if (key.Length > 1 && (key[0] == '@' || key[0] == '$')) return (s_strippedNames.Strip(key), key[0] == '@');
        return (key, false);
    }

    /// <summary>
    /// Keys without their <c>@</c>/<c>$</c> prefix, cached so that a call does not make a string (and its properties keep
    /// one name string per key) for the first <c>capacity</c> keys; keys made per call cannot grow it without bound.
    /// </summary>
    internal sealed class StrippedNames(int capacity)
    {
        private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

        public int Count => _names.Count;

        public string Strip(string key)
        {
            if (_names.TryGetValue(key, out var name)) return name;
            return _names.Count < capacity ? _names.GetOrAdd(key, static n => n.Substring(1)) : key.Substring(1);
        }
    }

    private static class StateReader<TState>
    {
        private static readonly (StateReadDelegate<TState>? Reader, LoggerMessageState.Reader<TState>? Typed) s_readers = Create();

        public static StateReadDelegate<TState>? Reader => s_readers.Reader;

        public static LoggerMessageState.Reader<TState>? Typed => s_readers.Typed;

        private static (StateReadDelegate<TState>?, LoggerMessageState.Reader<TState>?) Create()
        {
            // Only value types need the delegate: a reference-type state is cast without boxing.
            if (!typeof(TState).IsValueType || !typeof(IReadOnlyList<KeyValuePair<string, object?>>).IsAssignableFrom(typeof(TState))) return (null, null);
            try
            {
                var method = typeof(StateCapture).GetMethod(nameof(ReadList), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(typeof(TState));
                var list = method.CreateDelegate<StateReadDelegate<TState>>();
                // LoggerMessage.Define's states ([LoggerMessage] methods): their values read typed, not boxed;
                // FormattedLogValues (the LogInformation extensions): its values array read without the indexer.
                var typed = LoggerMessageState.TryCreate(list);
                return (typed is null ? list : typed.Read, typed);
            }
            catch (Exception)
            {
                // Without dynamic code (e.g. some AOT settings) fall back to the boxing cast.
                return (null, null);
            }
        }
    }
}
