using StructuredLog.Events;

namespace StructuredLog.Filtering;

/// <summary>
/// Replaces the value of sensitive properties with <see cref="Mask"/>. A property is sensitive when its
/// name contains one of the configured words, ignoring case (<c>password</c> matches
/// <c>UserPassword</c>). Applied to event properties and scope properties before any sink sees them.
/// </summary>
public sealed class Redactor
{
    /// <summary>The words redacted by default.</summary>
    public static readonly IReadOnlyList<string> DefaultWords = ["password", "passwd", "secret", "token", "authorization", "apikey", "api_key", "cookie"];

    /// <summary>What a redacted value becomes.</summary>
    public const string Mask = "***";

    private static readonly LogValue s_mask = LogValue.From(Mask);
    private readonly string[] _words;
    private readonly Dictionary<string, bool> _decisions = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
    private readonly object _lock = new();

    /// <summary>Creates a redactor for <paramref name="words"/>.</summary>
    public Redactor(IEnumerable<string> words)
    {
        _words = words.Where(w => !string.IsNullOrWhiteSpace(w)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>The words matched.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>True when a property named <paramref name="name"/> is redacted.</summary>
    public bool IsSensitive(string name)
    {
        if (_words.Length == 0) return false;
        lock (_lock)
        {
            // Names are nearly always string literals, so decisions are cached by reference.
            if (_decisions.TryGetValue(name, out bool cached)) return cached;
            bool sensitive = false;
            foreach (var w in _words)
            {
                if (name.Contains(w, StringComparison.OrdinalIgnoreCase)) { sensitive = true; break; }
            }
            if (_decisions.Count < 8192) _decisions[name] = sensitive;
            return sensitive;
        }
    }

    /// <summary>
    /// Which of <paramref name="template"/>'s argument names (<see cref="MessageTemplate.PropertyNames"/>)
    /// are sensitive, computed once per template and kept on it, so the writer does not look names up
    /// (under a lock) for every property of every event. Returns false when none is.
    /// </summary>
    internal bool AnySensitive(MessageTemplate template, out bool[] mask)
    {
        if (template.RedactionCache is TemplateMask cached && ReferenceEquals(cached.Owner, this))
        {
            mask = cached.Mask;
            return cached.Any;
        }
        var names = template.PropertyNames;
        mask = new bool[names.Count];
        bool any = false;
        for (int i = 0; i < mask.Length; i++) any |= mask[i] = IsSensitive(names[i]);
        template.RedactionCache = new TemplateMask(this, mask, any);
        return any;
    }

    private sealed record TemplateMask(Redactor Owner, bool[] Mask, bool Any);

    /// <summary>A copy of <paramref name="property"/> with its value masked (a null value stays null).</summary>
    internal static LogProperty Masked(in LogProperty property) =>
        property.Value.IsNull ? property : new LogProperty(property.Name, s_mask);

    /// <summary>The property, or a copy with its value masked.</summary>
    public LogProperty Apply(in LogProperty property) =>
        property.Value.IsNull || !IsSensitive(property.Name) ? property : new LogProperty(property.Name, s_mask);
}
