using StructuredLog.Events;
using StructuredLog.Filtering;

namespace StructuredLog.Pipeline;

/// <summary>
/// Adds the scope pairs of another framework (written by
/// <see cref="Logger.Write(LogLevel, Exception?, string, ReadOnlySpan{LogProperty}, ReadOnlySpan{KeyValuePair{string, object?}}, int, string?)"/>,
/// after the event's own properties) to a record on the writer thread: each value converted from the object captured;
/// a name that an event property has skipped; a name that an earlier pair has replacing that one in its place; a name
/// that is a hole of the template (one the event's own properties left unfilled) binding it, as a named argument does;
/// redaction as for any name.
/// </summary>
/// <remarks>
/// Where each pair lands depends only on the template, the names of the event's own properties and the pairs' names,
/// which for a call site inside the same scopes are the same strings event after event. So that those events skip the
/// name comparisons and redaction look-ups, one plan (per pair: the record index it fills or none, its name,
/// destructuring, redaction) is kept on the template for the writer that made it and checked by reference. Events that
/// do not match it are resolved directly; the plan is replaced only after <see cref="MissesBeforeRebuild"/> of them in
/// a row (alternating scope sets keep the first plan instead of making one per event). A template's first event with
/// scope pairs only marks it, so that templates made per event never get a plan allocated.
/// </remarks>
internal sealed class ScopePlan
{
    private const int MissesBeforeRebuild = 8;

    /// <summary>Marks a template whose events have brought scope pairs once (the second such event makes its plan).</summary>
    private static readonly object s_seen = new();

    private readonly object _owner;
    private readonly string[] _own;
    private readonly string?[] _pairs;
    private readonly Step[] _steps;
    private readonly bool _breaksOrder;
    private int _misses;

    private ScopePlan(object owner, string[] own, string?[] pairs, Step[] steps, bool breaksOrder)
    {
        _owner = owner;
        _own = own;
        _pairs = pairs;
        _steps = steps;
        _breaksOrder = breaksOrder;
    }

    /// <summary>Where one pair lands: <see cref="Target"/> -1 for none.</summary>
    private readonly record struct Step(int Target, string? Name, bool Destructure, bool Sensitive);

    /// <summary>
    /// Adds <paramref name="parts"/> to <paramref name="r"/>, which holds the event's own properties; clears
    /// <paramref name="inOrder"/> when a pair lands where the template's holes would no longer bind by position.
    /// </summary>
    public static void Add(object owner, EventRecord r, ReadOnlySpan<SlotArgument> parts, MessageTemplate template, bool[] mask, Redactor? redactor, ref bool inOrder)
    {
        int own = r.PropertyCount;
        var plan = template.ScopePlan as ScopePlan;
        if (plan is null || !plan.Matches(owner, r.Properties, own, parts))
        {
            if (plan is not null ? ++plan._misses < MissesBeforeRebuild : !ReferenceEquals(template.ScopePlan, s_seen))
            {
                // A template's first event with scope pairs only marks it: a template made per event (a message built
                // at run time) never gets a plan allocated for it.
                if (plan is null) template.ScopePlan = s_seen;
                AddDirectly(r, parts, template, mask, redactor, ref inOrder);
                return;
            }
            template.ScopePlan = plan = Build(owner, r.Properties.AsSpan(0, own), parts, template, mask, redactor);
        }
        else
        {
            plan._misses = 0;
        }
        var steps = plan._steps;
        for (int i = 0; i < steps.Length; i++)
        {
            ref readonly var step = ref steps[i];
            if (step.Target < 0) continue;
            Store(r, step.Target, step.Name!, parts[i].Value.Ref, step.Destructure, step.Sensitive);
        }
        if (plan._breaksOrder) inOrder = false;
    }

    /// <summary>
    /// Writes the property at record index <paramref name="target"/> (the next one appends) in place, field by field:
    /// copying a converted value as a whole read it back in 32-byte halves right after it was written field by field
    /// (a store-forwarding stall, a quarter of this path's time in <c>perf</c>), and storing the name only when the
    /// record's property there has another one saves its write barrier.
    /// </summary>
    private static void Store(EventRecord r, int target, string name, object? raw, bool destructure, bool sensitive)
    {
        var value = LogValue.FromObject(raw);
        ref LogProperty p = ref target < r.PropertyCount ? ref r.Properties[target] : ref r.AppendProperty();
        LogProperty.Overwrite(ref p, name, in value, null, destructure);
        if (sensitive) EventWriter.Mask(ref p);
    }

    private bool Matches(object owner, LogProperty[] properties, int own, ReadOnlySpan<SlotArgument> parts)
    {
        if (!ReferenceEquals(_owner, owner) || _own.Length != own || _pairs.Length != parts.Length) return false;
        for (int i = 0; i < own; i++)
        {
            if (!ReferenceEquals(_own[i], properties[i].Name)) return false;
        }
        for (int i = 0; i < parts.Length; i++)
        {
            if (!ReferenceEquals(_pairs[i], parts[i].Name)) return false;
        }
        return true;
    }

    private static ScopePlan Build(object owner, ReadOnlySpan<LogProperty> ownProperties, ReadOnlySpan<SlotArgument> parts, MessageTemplate template, bool[] mask, Redactor? redactor)
    {
        var own = new string[ownProperties.Length];
        for (int i = 0; i < own.Length; i++) own[i] = ownProperties[i].Name;
        var pairs = new string?[parts.Length];
        var steps = new Step[parts.Length];
        var landed = new List<string>(parts.Length); // names of the pairs appended, in record order after the own ones
        bool breaksOrder = false;
        for (int i = 0; i < parts.Length; i++)
        {
            pairs[i] = parts[i].Name;
            // A null key is ignored, and a name the event's own properties have gives way to them.
            var bound = parts[i].Name is { } name ? EventWriter.BindNamed(name, -1, template, mask, redactor) : default;
            if (bound.Name is null || Array.IndexOf(own, bound.Name) >= 0)
            {
                steps[i] = new Step(-1, null, false, false);
                continue;
            }
            int position = landed.IndexOf(bound.Name);
            int index = own.Length + (position >= 0 ? position : landed.Count);
            if (position < 0) landed.Add(bound.Name);
            if (bound.BreaksOrder(index, template.PropertyNameArray.Length)) breaksOrder = true;
            steps[i] = new Step(index, bound.Name, bound.Destructure, bound.Sensitive);
        }
        return new ScopePlan(owner, own, pairs, steps, breaksOrder);
    }

    /// <summary>The same rules without a plan, for an event that does not match the template's.</summary>
    private static void AddDirectly(EventRecord r, ReadOnlySpan<SlotArgument> parts, MessageTemplate template, bool[] mask, Redactor? redactor, ref bool inOrder)
    {
        int own = r.PropertyCount;
        foreach (ref readonly var a in parts)
        {
            if (a.Name is null) continue; // a null key is ignored
            var bound = EventWriter.BindNamed(a.Name, -1, template, mask, redactor);
            if (IndexOfName(r.Properties, bound.Name, 0, own) >= 0) continue;
            int position = IndexOfName(r.Properties, bound.Name, own, r.PropertyCount);
            int index = position >= 0 ? position : r.PropertyCount;
            if (bound.BreaksOrder(index, template.PropertyNameArray.Length)) inOrder = false;
            Store(r, index, bound.Name, a.Value.Ref, bound.Destructure, bound.Sensitive);
        }
    }

    private static int IndexOfName(LogProperty[] properties, string name, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            if (string.Equals(properties[i].Name, name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
