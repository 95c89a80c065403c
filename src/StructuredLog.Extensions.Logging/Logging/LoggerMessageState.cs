using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>Reads a value-type state's properties into the buffer; returns the template, or null when it carries none.</summary>
internal delegate string? StateReadDelegate<TState>(in TState state, PropertyBuffer buffer);

/// <summary>Reads one field of a state struct (a method emitted for that field).</summary>
internal delegate TValue StateFieldGetter<TState, TValue>(ref TState state);

/// <summary>
/// Typed reading of the states that <c>LoggerMessage.Define</c> creates, which is what <c>[LoggerMessage]</c>
/// methods of up to six parameters call: <c>LoggerMessage.LogValues&lt;T0..T5&gt;</c>, a private struct of
/// Microsoft.Extensions.Logging.Abstractions holding its formatter and the typed values in <c>_formatter</c>,
/// <c>_value0</c>, <c>_value1</c>... Its <c>IReadOnlyList</c> indexer boxes every value-type argument (an
/// int and a double: 48 bytes a call); reading the fields through one emitted getter each captures them as
/// <see cref="LogValue"/>s without boxing. Names, destructuring flags and the template are read once per call
/// site (per formatter instance) through the indexer and cached.
/// </summary>
/// <remarks>
/// Taken only when the state type is exactly that struct with exactly those fields of the argument types, and
/// when the runtime can compile emitted code; anything else (a later Microsoft.Extensions.Logging that changed the
/// struct, NativeAOT, the generator's own structs for more than six parameters) reads the list as before.
/// Events are identical either way (<c>LoggerMessageStateTests</c>).
/// </remarks>
internal static class LoggerMessageState
{
    private const int MaxShapes = 4096;

    /// <summary>
    /// A typed reader for <typeparamref name="TState"/>, or null when it is not a state of <c>LoggerMessage.Define</c>;
    /// <paramref name="list"/> reads the states whose list says something the typed reading would not repeat.
    /// </summary>
    public static StateReadDelegate<TState>? TryCreate<TState>(StateReadDelegate<TState> list)
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

    private static StateReadDelegate<TState>? Create<TState>(StateReadDelegate<TState> list)
    {
        var type = typeof(TState);
        if (!type.IsValueType || !type.IsGenericType || type.Assembly != typeof(LoggerMessage).Assembly
            || type.DeclaringType != typeof(LoggerMessage) || !type.Name.StartsWith("LogValues`", StringComparison.Ordinal))
        {
            return null;
        }
        var args = type.GetGenericArguments();
        if (args.Length is < 1 or > 6) return null;
        const BindingFlags Fields = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var all = type.GetFields(Fields);
        var formatter = type.GetField("_formatter", Fields);
        if (all.Length != args.Length + 1 || formatter is null || formatter.FieldType.IsValueType) return null;
        var values = new ValueReader<TState>[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var field = type.GetField("_value" + i, Fields);
            if (field is null || field.FieldType != args[i]) return null;
            var getter = Getter(field, type, args[i]);
            values[i] = (ValueReader<TState>)Activator.CreateInstance(typeof(ValueReader<,>).MakeGenericType(type, args[i]), getter)!;
        }
        var reader = new Reader<TState>((StateFieldGetter<TState, object?>)Getter(formatter, type, typeof(object)), values, list);
        return reader.Read;
    }

    /// <summary>True when <paramref name="reader"/> is one this class made.</summary>
    internal static bool IsTypedReader(Delegate? reader) =>
        reader?.Target?.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Reader<>);

    /// <summary>A method that returns <paramref name="field"/> of a <paramref name="state"/> passed by reference.</summary>
    private static Delegate Getter(FieldInfo field, Type state, Type result)
    {
        var method = new DynamicMethod("get" + field.Name, result, [state.MakeByRefType()], typeof(LoggerMessageState).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate(typeof(StateFieldGetter<,>).MakeGenericType(state, result));
    }

    internal abstract class ValueReader<TState>
    {
        public abstract LogValue Read(ref TState state);
    }

    internal sealed class ValueReader<TState, TValue>(StateFieldGetter<TState, TValue> get) : ValueReader<TState>
    {
        public override LogValue Read(ref TState state) => LogValue.From(get(ref state));
    }

    /// <summary>What a call site's states share: their names (prefix stripped), destructuring flags and template.</summary>
    private sealed class Shape(object? formatter, string[] names, bool[] destructure, string? template, bool typed)
    {
        public readonly object? Formatter = formatter;
        public readonly string[] Names = names;
        public readonly bool[] Destructure = destructure;
        public readonly string? Template = template;
        public readonly bool Typed = typed; // false: the list said something the typed reading would not repeat
    }

    private sealed class Reader<TState>(StateFieldGetter<TState, object?> formatter, ValueReader<TState>[] values, StateReadDelegate<TState> list)
    {
        private readonly ConcurrentDictionary<object, Shape> _shapes = new(ReferenceEqualityComparer.Instance);
        private Shape? _last;

        public string? Read(in TState state, PropertyBuffer buffer)
        {
            ref TState s = ref Unsafe.AsRef(in state);
            object? key = formatter(ref s);
            var shape = _last;
            if (shape is null || !ReferenceEquals(shape.Formatter, key))
            {
                if (key is null || !_shapes.TryGetValue(key, out shape))
                {
                    shape = Describe(key, in state);
                    if (key is not null && _shapes.Count < MaxShapes) _shapes.TryAdd(key, shape);
                }
                _last = shape;
            }
            if (!shape.Typed) return list(in state, buffer);
            var names = shape.Names;
            var destructure = shape.Destructure;
            for (int i = 0; i < values.Length; i++)
            {
                buffer.Add(new LogProperty(names[i], values[i].Read(ref s), null, destructure[i]));
            }
            return shape.Template;
        }

        /// <summary>Reads names and template through the list (boxing the values once for this call site).</summary>
        private Shape Describe(object? key, in TState state)
        {
            var list = (IReadOnlyList<KeyValuePair<string, object?>>)state!;
            int n = values.Length;
            var names = new string[n];
            var destructure = new bool[n];
            if (list.Count != n + 1 || list[n].Key != StateCapture.OriginalFormat) return new Shape(key, names, destructure, null, typed: false);
            for (int i = 0; i < n; i++)
            {
                string name = list[i].Key;
                if (name is null || name == StateCapture.OriginalFormat) return new Shape(key, names, destructure, null, typed: false);
                (names[i], destructure[i]) = StateCapture.PropertyName(name);
            }
            return new Shape(key, names, destructure, list[n].Value as string, typed: true);
        }
    }
}
