using System.Collections.Concurrent;
using System.Text;

namespace StructuredLog.Events;

/// <summary>
/// A parsed message template such as <c>Order {OrderId} shipped in {Elapsed:F1} ms</c>. Templates are
/// parsed once and cached; <c>{{</c> and <c>}}</c> are literal braces, <c>{@Name}</c> destructures,
/// <c>{Name:format}</c> formats. A malformed hole is kept as literal text, never an error.
/// </summary>
public sealed class MessageTemplate
{
    private const int MaxCached = 10_000;
    private static readonly ConcurrentDictionary<string, MessageTemplate> s_cache = new(StringComparer.Ordinal);

    private MessageTemplate(string text, TemplateToken[] tokens)
    {
        Text = text;
        Tokens = tokens;
        TokenArray = tokens;
        var holes = new List<TemplateToken>();
        bool allPositional = true;
        foreach (var t in tokens)
        {
            if (!t.IsHole) continue;
            holes.Add(t);
            if (!int.TryParse(t.PropertyName, out _)) allPositional = false;
        }
        IsPositional = holes.Count > 0 && allPositional;
        int argCount = 0;
        foreach (var h in holes) argCount = Math.Max(argCount, h.ArgumentIndex + 1);
        var names = new string[argCount];
        var formats = new string?[argCount];
        var destructure = new bool[argCount];
        foreach (var h in holes)
        {
            if (names[h.ArgumentIndex] is not null) continue;
            names[h.ArgumentIndex] = h.PropertyName!;
            formats[h.ArgumentIndex] = h.Format;
            destructure[h.ArgumentIndex] = h.Destructure;
        }
        for (int i = 0; i < names.Length; i++) names[i] ??= "arg" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        PropertyNames = names;
        PropertyNameArray = names;
        PropertyFormats = formats;
        PropertyDestructure = destructure;
        TextUtf8 = Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The template text as written.</summary>
    public string Text { get; }

    /// <summary>The template's text as UTF-8, for formatters.</summary>
    public ReadOnlyMemory<byte> TextUtf8 { get; }

    /// <summary>Literal text and holes, in order.</summary>
    public IReadOnlyList<TemplateToken> Tokens { get; }

    /// <summary><see cref="Tokens"/> as an array, so that renderers iterate without an enumerator allocation.</summary>
    internal readonly TemplateToken[] TokenArray;

    /// <summary>True when every hole is numeric (<c>{0}</c>, <c>{1}</c>): holes bind arguments by number.</summary>
    public bool IsPositional { get; }

    /// <summary>The property name of each argument, by argument index (named holes bind arguments in order of appearance).</summary>
    public IReadOnlyList<string> PropertyNames { get; }

    /// <summary><see cref="PropertyNames"/> as an array (no interface dispatch on the writer's hot path).</summary>
    internal readonly string[] PropertyNameArray;

    internal readonly string?[] PropertyFormats;

    /// <summary>Per-redactor cache of which argument names are sensitive (see <c>Redactor.AnySensitive</c>).</summary>
    internal object? RedactionCache;

    /// <summary>Where scope pairs of another framework land in this template's events (see <c>ScopePlan</c>).</summary>
    internal object? ScopePlan;

    /// <summary>The JSON formatter's escaped forms of this template (see <c>JsonTemplateForms</c>).</summary>
    internal object? JsonForms;
    internal readonly bool[] PropertyDestructure;

    /// <summary>The name of argument <paramref name="index"/>: the hole's name, or <c>argN</c> for extra arguments.</summary>
    public string GetPropertyName(int index) =>
        index < PropertyNames.Count ? PropertyNames[index] : "arg" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses <paramref name="text"/>, returning the cached instance when it was seen before.</summary>
    public static MessageTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (s_cache.TryGetValue(text, out var cached)) return cached;
        var parsed = ParseUncached(text);
        if (s_cache.Count < MaxCached) s_cache.TryAdd(text, parsed);
        return parsed;
    }

    internal static MessageTemplate ParseUncached(string text)
    {
        var tokens = new List<TemplateToken>();
        var literal = new StringBuilder();
        int nextNamedIndex = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '{')
            {
                if (i + 1 < text.Length && text[i + 1] == '{') { literal.Append('{'); i += 2; continue; }
                int close = text.IndexOf('}', i + 1);
                if (close < 0 || !TryParseHole(text.AsSpan(i + 1, close - i - 1), out var name, out var format, out var destructure))
                {
                    // Not a valid hole: keep the brace as text so that nothing is lost.
                    literal.Append(c);
                    i++;
                    continue;
                }
                if (literal.Length > 0) { tokens.Add(new TemplateToken(literal.ToString(), null, null, false, -1)); literal.Clear(); }
                int index = int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int positional)
                    ? positional : -1;
                tokens.Add(new TemplateToken(text.Substring(i, close - i + 1), name, format, destructure, index));
                i = close + 1;
                continue;
            }
            if (c == '}' && i + 1 < text.Length && text[i + 1] == '}') { literal.Append('}'); i += 2; continue; }
            literal.Append(c);
            i++;
        }
        if (literal.Length > 0) tokens.Add(new TemplateToken(literal.ToString(), null, null, false, -1));

        // Named holes take arguments in order of first appearance; a repeated name reuses its argument.
        bool anyNamed = tokens.Exists(t => t.IsHole && t.ArgumentIndex < 0);
        if (anyNamed)
        {
            var byName = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < tokens.Count; k++)
            {
                var t = tokens[k];
                if (!t.IsHole) continue;
                if (!byName.TryGetValue(t.PropertyName!, out int idx)) { idx = nextNamedIndex++; byName[t.PropertyName!] = idx; }
                tokens[k] = new TemplateToken(t.Text, t.PropertyName, t.Format, t.Destructure, idx);
            }
        }
        return new MessageTemplate(text, tokens.ToArray());
    }

    private static bool TryParseHole(ReadOnlySpan<char> hole, out string name, out string? format, out bool destructure)
    {
        name = "";
        format = null;
        destructure = false;
        if (hole.IsEmpty) return false;
        if (hole[0] == '@') { destructure = true; hole = hole[1..]; }
        else if (hole[0] == '$') hole = hole[1..];
        int colon = hole.IndexOf(':');
        var namePart = colon >= 0 ? hole[..colon] : hole;
        int comma = namePart.IndexOf(',');
        if (comma >= 0) namePart = namePart[..comma]; // alignment is accepted and ignored
        if (namePart.IsEmpty) return false;
        foreach (char ch in namePart)
            if (!(char.IsLetterOrDigit(ch) || ch == '_' || ch == '.')) return false;
        name = namePart.ToString();
        if (colon >= 0) format = hole[(colon + 1)..].ToString();
        return true;
    }

    private TemplateToken[]? _holes;

    /// <summary>The <paramref name="index"/>-th hole in order of appearance (interpolated templates have one hole per argument).</summary>
    internal TemplateToken HoleByIndex(int index)
    {
        _holes ??= Tokens.Where(t => t.IsHole).ToArray();
        return _holes[index];
    }

    internal static MessageTemplate FromTokens(string text, TemplateToken[] tokens) => new(text, tokens);

    /// <inheritdoc />
    public override string ToString() => Text;
}
