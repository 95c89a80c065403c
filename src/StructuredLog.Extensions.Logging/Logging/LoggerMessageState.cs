using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>Reads a value-type state's properties into the buffer; returns the template, or null when it carries none.</summary>
internal delegate string? StateReadDelegate<TState>(in TState state, PropertyBuffer buffer);

/// <summary>Reads the formatter field of a state struct (an emitted method; the delegate is closed over an unused target, so it is called without a shuffle thunk).</summary>
internal delegate object? StateFormatterGetter<TState>(ref TState state);

/// <summary>
/// Writes a state struct's first <paramref name="count"/> values as typed values, from <paramref name="destination"/> on
/// (an emitted method, one per state type); false when the state holds fewer values (nothing to rely on in
/// <paramref name="destination"/> then).
/// </summary>
internal delegate bool StateValuesFiller<TState>(ref TState state, ref LogValue destination, int count);

/// <summary>Reads the values array of a <c>FormattedLogValues</c> state (an emitted method).</summary>
internal delegate object?[]? StateValuesGetter<TState>(ref TState state);

/// <summary>Room on the stack for the values of one <c>LoggerMessage.Define</c> state (at most six).</summary>
[InlineArray(LoggerMessageState.MaxValues)]
internal struct StateValues
{
    private LogValue _element;
}

/// <summary>
/// Typed reading of the states that <c>LoggerMessage.Define</c> creates, which is what <c>[LoggerMessage]</c>
/// methods of up to six parameters call: <c>LoggerMessage.LogValues&lt;T0..T5&gt;</c>, a private struct of
/// Microsoft.Extensions.Logging.Abstractions holding its formatter and the typed values in <c>_formatter</c>,
/// <c>_value0</c>, <c>_value1</c>... Its <c>IReadOnlyList</c> indexer boxes every value-type argument (an
/// int and a double: 48 bytes a call). Instead, one method emitted per state type reads every value field and
/// writes it as a <see cref="LogValue"/> (made by <see cref="LogValue.From{T}"/> compiled for each exact type, so nothing
/// is boxed) into a span on the caller's stack, and another reads the formatter. Names, destructuring flags and the
/// template are read once per call site (per formatter instance) through the indexer and cached; the provider hands
/// the values and the cached names array to <c>Logger.Write</c>, which stores both in the ring cell itself. One emitted method
/// rather than a getter per field: per-field delegates cost ~90 ns more per call (three delegate and three
/// virtual calls, and <see cref="LogValue.From{T}"/> in code shared between reference types).
/// </summary>
/// <remarks>
/// The <c>LogInformation("... {X}", x)</c> extensions' state, <c>FormattedLogValues</c>, is read the same way from its
/// <c>_values</c> array (already boxed by MEL) and <c>_formatter</c> (<see cref="CreateFormatted{TState}"/>).
/// Taken only when the state type is exactly that struct with exactly those fields of the argument types, and
/// when the runtime can compile emitted code; anything else (a later Microsoft.Extensions.Logging that changed the
/// struct, NativeAOT or an app built with <c>PublishAot</c> even when it runs on the JIT, the generator's own
/// structs for more than six parameters) reads the list as before.
/// Events are identical either way (<c>LoggerMessageStateTests</c>).
/// </remarks>
internal static class LoggerMessageState
{
    /// <summary>The most values a <c>LoggerMessage.Define</c> state holds.</summary>
    public const int MaxValues = 6;

    private const int MaxShapes = 4096;

    /// <summary>Call sites of the <c>LogInformation</c> extensions kept (MEL itself caches 1,024 formatters).</summary>
    private const int MaxFormattedShapes = 1024;

    /// <summary>
    /// A typed reader for <typeparamref name="TState"/>, or null when it is not a state of <c>LoggerMessage.Define</c>;
    /// <paramref name="list"/> reads the states whose list says something the typed reading would not repeat.
    /// </summary>
    public static Reader<TState>? TryCreate<TState>(StateReadDelegate<TState> list)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported || !RuntimeFeature.IsDynamicCodeCompiled) return null;
        try
        {
            return Create(list);
        }
        catch (Exception)
        {
            return null; // whatever refused (reflection, emission): the list reads the state as before
        }
    }

    private static Reader<TState>? Create<TState>(StateReadDelegate<TState> list)
    {
        var type = typeof(TState);
        if (type.IsValueType && !type.IsGenericType && type.Assembly == typeof(LoggerMessage).Assembly
            && type.FullName == "Microsoft.Extensions.Logging.FormattedLogValues")
        {
            return CreateFormatted(list);
        }
        if (!type.IsValueType || !type.IsGenericType || type.Assembly != typeof(LoggerMessage).Assembly
            || type.DeclaringType != typeof(LoggerMessage) || !type.Name.StartsWith("LogValues`", StringComparison.Ordinal))
        {
            return null;
        }
        var args = type.GetGenericArguments();
        if (args.Length is < 1 or > MaxValues) return null;
        const BindingFlags Fields = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var all = type.GetFields(Fields);
        var formatter = type.GetField("_formatter", Fields);
        if (all.Length != args.Length + 1 || formatter is null || formatter.FieldType.IsValueType) return null;
        var values = new FieldInfo[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var field = type.GetField("_value" + i, Fields);
            if (field is null || field.FieldType != args[i]) return null;
            values[i] = field;
        }
        return new Reader<TState>(FormatterGetter<TState>(formatter), ValuesFiller<TState>(values), values.Length, list);
    }

    /// <summary>
    /// The state of the <c>LogInformation("... {X}", x)</c> extensions (<c>FormattedLogValues</c>): its formatter (one per
    /// template, from MEL's cache) and its <c>object?[]</c> of values, already boxed by MEL. Reading the array saves the
    /// list's indexer (a key/value pair and a name check per property); names and template come from the call site's shape.
    /// </summary>
    private static Reader<TState>? CreateFormatted<TState>(StateReadDelegate<TState> list)
    {
        var type = typeof(TState);
        const BindingFlags Fields = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var formatter = type.GetField("_formatter", Fields);
        var values = type.GetField("_values", Fields);
        if (formatter is null || formatter.FieldType.IsValueType || values is null || values.FieldType != typeof(object[])) return null;
        var getValues = ValuesGetter<TState>(values);
        StateValuesFiller<TState> fill = (ref TState state, ref LogValue destination, int count) =>
        {
            var v = getValues(ref state);
            // Fewer values than holes: the list's indexer throws, and the buffer path marks the event with that.
            if (v is null || v.Length < count) return false;
            for (int i = 0; i < count; i++) Unsafe.Add(ref destination, i) = LogValue.FromObject(v[i]);
            return true;
        };
        return new Reader<TState>(FormatterGetter<TState>(formatter), fill, VariableCount, list, MaxFormattedShapes);
    }

    /// <summary>The <c>count</c> of a reader whose states hold as many values as their call site's template has holes.</summary>
    private const int VariableCount = -1;

    /// <summary>Emits <c>state._values</c>.</summary>
    private static StateValuesGetter<TState> ValuesGetter<TState>(FieldInfo values) =>
        FieldGetter<TState, StateValuesGetter<TState>>("getValues", values, typeof(object[]));

    /// <summary>Emits <c>state._formatter</c>.</summary>
    private static StateFormatterGetter<TState> FormatterGetter<TState>(FieldInfo formatter) =>
        FieldGetter<TState, StateFormatterGetter<TState>>("getFormatter", formatter, typeof(object));

    /// <summary>Emits a method that returns <c>state.<paramref name="field"/></c> as <paramref name="returns"/>, as a delegate closed over an unused target.</summary>
    private static TDelegate FieldGetter<TState, TDelegate>(string name, FieldInfo field, Type returns) where TDelegate : Delegate
    {
        var method = new DynamicMethod(name, returns, [typeof(object), typeof(TState).MakeByRefType()], typeof(LoggerMessageState).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return (TDelegate)method.CreateDelegate(typeof(TDelegate), s_target);
    }

    /// <summary>
    /// Emits, for each value field i: <c>Unsafe.Add(ref destination, i) = LogValue.From&lt;Ti&gt;(state._value<i>i</i>)</c>:
    /// one call per event, with <see cref="LogValue.From{T}"/> compiled for each exact argument type.
    /// </summary>
    private static StateValuesFiller<TState> ValuesFiller<TState>(FieldInfo[] values)
    {
        var from = typeof(LogValue).GetMethod(nameof(LogValue.From))!;
        var method = new DynamicMethod("fillValues", typeof(bool),
            [typeof(object), typeof(TState).MakeByRefType(), typeof(LogValue).MakeByRefType(), typeof(int)],
            typeof(LoggerMessageState).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        for (int i = 0; i < values.Length; i++)
        {
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Sizeof, typeof(LogValue));
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, values[i]);
            il.Emit(OpCodes.Call, from.MakeGenericMethod(values[i].FieldType));
            il.Emit(OpCodes.Stobj, typeof(LogValue));
        }
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);
        return (StateValuesFiller<TState>)method.CreateDelegate(typeof(StateValuesFiller<TState>), s_target);
    }

    // The emitted methods take a first argument they ignore: delegates closed over it are called directly.
    private static readonly object s_target = new();

    /// <summary>What a call site's states share: their names (prefix stripped), destructuring flags and template.</summary>
    private sealed class Shape(object? formatter, string[] names, bool[] destructure, string? template, bool typed)
    {
        public readonly object? Formatter = formatter;
        public readonly string[] Names = names;
        public readonly bool[] Destructure = destructure;
        public readonly string? Template = template;
        public readonly bool Typed = typed; // false: the list said something the typed reading would not repeat
    }

    /// <summary>Reads the states of one <c>LoggerMessage.Define</c> signature.</summary>
    internal sealed class Reader<TState>(StateFormatterGetter<TState> formatter, StateValuesFiller<TState> fill, int count, StateReadDelegate<TState> list, int maxShapes = MaxShapes)
    {
        private readonly ConcurrentDictionary<object, Shape> _shapes = new(ReferenceEqualityComparer.Instance);
        private Shape? _last;

        /// <summary>Call sites described so far (at most the reader's cap), for tests.</summary>
        internal int ShapeCount => _shapes.Count;

        /// <summary>
        /// Writes the state's values into <paramref name="destination"/> (room for <see cref="MaxValues"/>) and returns its
        /// call site's names (the value count), or returns false when this call site's states are read through the list instead.
        /// </summary>
        public bool TryRead(in TState state, Span<LogValue> destination, out string? template, [NotNullWhen(true)] out string[]? names) =>
            TryRead(in state, destination, out template, out names, out _);

        /// <summary>As the other overload, with the names' destructuring flags (<c>@Name</c>).</summary>
        public bool TryRead(in TState state, Span<LogValue> destination, out string? template, [NotNullWhen(true)] out string[]? names, out bool[]? destructure)
        {
            ref TState s = ref Unsafe.AsRef(in state);
            object? key = formatter(ref s);
            template = null;
            names = null;
            destructure = null;
            // No formatter: a FormattedLogValues without values (its list holds only the template), read as a list.
            if (key is null) return false;
            var shape = _last;
            if (shape is null || !ReferenceEquals(shape.Formatter, key))
            {
                if (!_shapes.TryGetValue(key, out shape))
                {
                    // A full cache describes nothing more: templates built per call (an interpolated string passed
                    // to LogInformation) give MEL a new formatter each time once its own cache of 1,024 is full, and
                    // describing each would cost more than reading the list.
                    if (_shapes.Count >= maxShapes) return false;
                    shape = Describe(key, in state);
                    _shapes.TryAdd(key, shape);
                }
                _last = shape;
            }
            int n = shape.Names.Length;
            if (!shape.Typed || destination.Length < n) return false;
            if (!fill(ref s, ref MemoryMarshal.GetReference(destination), n)) return false;
            template = shape.Template;
            names = shape.Names;
            destructure = shape.Destructure;
            return true;
        }

        /// <summary>Adds the state's properties to <paramref name="buffer"/>; returns the template.</summary>
        public string? Read(in TState state, PropertyBuffer buffer)
        {
            var values = new StateValues();
            if (!TryRead(in state, values, out string? template, out string[]? names, out bool[]? destructure)) return list(in state, buffer);
            for (int i = 0; i < names.Length; i++) buffer.Add(new LogProperty(names[i], values[i], null, destructure![i]));
            return template;
        }

        /// <summary>Reads names and template through the list (boxing the values once for this call site).</summary>
        private Shape Describe(object? key, in TState state)
        {
            var pairs = (IReadOnlyList<KeyValuePair<string, object?>>)state!;
            int n = count == VariableCount ? Math.Max(pairs.Count - 1, 0) : count;
            var names = new string[n];
            var destructure = new bool[n];
            if (pairs.Count != n + 1 || pairs[n].Key != StateCapture.OriginalFormat) return new Shape(key, names, destructure, null, typed: false);
            for (int i = 0; i < n; i++)
            {
                string name = pairs[i].Key;
                if (name is null || name == StateCapture.OriginalFormat) return new Shape(key, names, destructure, null, typed: false);
                (names[i], destructure[i]) = StateCapture.PropertyName(name);
            }
            string? template = pairs[n].Value as string;
            if (template is not null) UseTemplateNames(names, template);
            return new Shape(key, names, destructure, template, typed: true);
        }

        /// <summary>
        /// Replaces each name by the parsed template's own string of the same text (<see cref="MessageTemplate.Parse"/>
        /// caches templates by text, and the writer binds properties to holes through that cache's instance): the writer
        /// then matches a name to its hole by reference, without comparing characters, for every event of the call site.
        /// </summary>
        private static void UseTemplateNames(string[] names, string template)
        {
            var holes = MessageTemplate.Parse(template).PropertyNames;
            for (int i = 0; i < names.Length; i++)
            {
                foreach (var hole in holes)
                {
                    if (string.Equals(hole, names[i], StringComparison.Ordinal))
                    {
                        names[i] = hole;
                        break;
                    }
                }
            }
        }
    }
}
