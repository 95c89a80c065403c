using System.Runtime.CompilerServices;
using System.Text;
using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// Writer-thread cache from what a call site captured to its <see cref="MessageTemplate"/>. Template
/// strings and interpolated literals, names and formats are nearly always compile-time constants, so
/// lookups are by reference first; unknown references fall back to the content-keyed global cache.
/// Both caches are bounded: a program that builds templates dynamically still works, only slower.
/// </summary>
internal sealed class TemplateResolver
{
    private const int MaxEntries = 16_384;
    private readonly Dictionary<string, MessageTemplate> _byReference = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
    private readonly Dictionary<int, List<(string?[] Signature, MessageTemplate Template)>> _interpolated = new();
    private int _interpolatedCount;
    private string?[]? _lastSignature;
    private MessageTemplate? _lastTemplate;
    private string? _lastText;
    private MessageTemplate? _lastResolved;

    public MessageTemplate Resolve(string text)
    {
        // The same template as the previous event (a loop, a burst from one call site): one reference compare
        // instead of the dictionary's identity hash and probe.
        if (ReferenceEquals(text, _lastText)) return _lastResolved!;
        if (!_byReference.TryGetValue(text, out var t))
        {
            t = MessageTemplate.Parse(text);
            if (_byReference.Count < MaxEntries) _byReference[text] = t;
        }
        _lastText = text;
        _lastResolved = t;
        return t;
    }

    public MessageTemplate ResolveInterpolated(ReadOnlySpan<SlotArgument> parts)
    {
        // The same call site again (a loop, a request handler): reference compares only.
        if (_lastSignature is { } last && Matches(last, parts)) return _lastTemplate!;
        // Keyed by the count and the first and last parts' references (two runtime calls, not one per name
        // and format); call sites that share those but differ in between are told apart by Matches.
        int hash = parts.Length;
        if (parts.Length > 0)
        {
            hash = hash * 31 + (parts[0].Name is { } first ? RuntimeHelpers.GetHashCode(first) : 0);
            hash = hash * 31 + (parts[^1].Name is { } end ? RuntimeHelpers.GetHashCode(end) : 0);
        }
        if (_interpolated.TryGetValue(hash, out var candidates))
        {
            foreach (var (signature, template) in candidates)
            {
                if (!Matches(signature, parts)) continue;
                _lastSignature = signature;
                _lastTemplate = template;
                return template;
            }
        }
        var built = Build(parts);
        if (_interpolatedCount < MaxEntries)
        {
            var signatureCopy = new string?[parts.Length * 2];
            for (int i = 0; i < parts.Length; i++)
            {
                signatureCopy[2 * i] = parts[i].Name;
                signatureCopy[2 * i + 1] = parts[i].Format;
            }
            if (candidates is null) _interpolated[hash] = candidates = new();
            candidates.Add((signatureCopy, built));
            _interpolatedCount++;
            _lastSignature = signatureCopy;
            _lastTemplate = built;
        }
        return built;
    }

    private static bool Matches(string?[] signature, ReadOnlySpan<SlotArgument> parts)
    {
        if (signature.Length != parts.Length * 2) return false;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!ReferenceEquals(signature[2 * i], parts[i].Name) || !ReferenceEquals(signature[2 * i + 1], parts[i].Format)) return false;
        }
        return true;
    }

    /// <summary>Builds the template text <c>Order {orderId} shipped in {elapsed:F1} ms</c> and its tokens from the parts.</summary>
    private static MessageTemplate Build(ReadOnlySpan<SlotArgument> parts)
    {
        var text = new StringBuilder();
        var tokens = new List<TemplateToken>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        int hole = 0;
        foreach (ref readonly var p in parts)
        {
            if (p.IsLiteral)
            {
                text.Append(p.Name!.Replace("{", "{{").Replace("}", "}}"));
                tokens.Add(new TemplateToken(p.Name!, null, null, false, -1));
                continue;
            }
            var (name, format) = NameAndFormat(p.Name, p.Format, hole);
            // Two holes with the same expression would collide as JSON keys: number the repeats.
            string unique = name;
            for (int k = 2; !used.Add(unique); k++) unique = name + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string holeText = format is null ? "{" + unique + "}" : "{" + unique + ":" + format + "}";
            text.Append(holeText);
            tokens.Add(new TemplateToken(holeText, unique, format, false, hole));
            hole++;
        }
        return MessageTemplate.FromTokens(text.ToString(), tokens.ToArray());
    }

    /// <summary>
    /// The property name of an interpolated hole: the caller's expression when it is a plain identifier
    /// or member access (<c>order.Id</c>), else <c>argN</c>. A format <c>@Name</c> or <c>@Name:F1</c>
    /// names the property explicitly.
    /// </summary>
    internal static (string Name, string? Format) NameAndFormat(string? expression, string? format, int index)
    {
        if (format is not null && format.StartsWith('@') && format.Length > 1)
        {
            int colon = format.IndexOf(':');
            string explicitName = colon < 0 ? format[1..] : format[1..colon];
            string? rest = colon < 0 ? null : format[(colon + 1)..];
            if (IsIdentifierChain(explicitName)) return (explicitName, rest);
        }
        if (expression is not null)
        {
            var trimmed = expression.Trim();
            if (trimmed.StartsWith('@')) trimmed = trimmed[1..];
            if (trimmed.StartsWith("this.", StringComparison.Ordinal)) trimmed = trimmed[5..];
            if (IsIdentifierChain(trimmed)) return (trimmed, format);
        }
        return ("arg" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), format);
    }

    private static bool IsIdentifierChain(string s)
    {
        if (s.Length == 0 || s.Length > 128 || s[0] == '.' || s[^1] == '.') return false;
        foreach (char c in s)
            if (!(char.IsLetterOrDigit(c) || c == '_' || c == '.')) return false;
        return !char.IsDigit(s[0]);
    }
}
