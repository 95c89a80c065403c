using System.Reflection;
using System.Text;

namespace StructuredLog.TestSupport.Api;

/// <summary>
/// Renders the public surface of an assembly as sorted text, so that any change to it shows up as a
/// reviewed diff of a baseline file (as the runtime's reference sources and ZeroLog's API snapshot do).
/// </summary>
public static class PublicApiBaseline
{
    public static string Render(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var bases = new List<string>();
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(Name(b));
            bases.AddRange(type.GetInterfaces().Select(Name).OrderBy(n => n, StringComparer.Ordinal));
            string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
            lines.Add($"{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : "")}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true } && !(type.IsEnum && m.Name == "value__"))
                .Select(m => "    " + Describe(m))
                .Concat(type.GetMembers(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                    .OfType<MethodBase>().Where(m => m.IsFamily || m.IsFamilyOrAssembly).Select(m => "    protected " + Describe(m)))
                .OrderBy(l => l, StringComparer.Ordinal);
            lines.AddRange(members);
        }
        return string.Join("\n", lines) + "\n";
    }

    private static string Describe(MemberInfo m) => m switch
    {
        FieldInfo f when f.DeclaringType!.IsEnum => $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue())}",
        FieldInfo f => $"field {(f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        PropertyInfo p => $"property {(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{{(p.GetMethod?.IsPublic == true ? " get;" : "")}{(p.SetMethod?.IsPublic == true ? " set;" : "")} }}",
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo mi => $"method {(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{(mi.IsGenericMethod ? "<" + string.Join(", ", mi.GetGenericArguments().Select(a => a.Name)) + ">" : "")}({Parameters(mi)})",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => m.ToString() ?? m.Name,
    };

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p =>
            (p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "") +
            Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) + " " + p.Name +
            (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (!t.IsGenericType) return t.FullName ?? t.Name;
        var def = t.GetGenericTypeDefinition().FullName ?? t.Name;
        def = def[..def.IndexOf('`')];
        return def + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }

    /// <summary>
    /// Compares the public surface of <paramref name="assembly"/> with <c>tests/&lt;testProject&gt;/PublicApi/&lt;baselineFileName&gt;</c>.
    /// On a difference writes the actual surface beside it (<c>.received.txt</c>) and throws, explaining how to accept it.
    /// </summary>
    public static void Verify(Assembly assembly, string testProject, string baselineFileName)
    {
        string dir = Path.Combine(FindRepoRoot(), "tests", testProject, "PublicApi");
        string baselinePath = Path.Combine(dir, baselineFileName);
        string actual = Render(assembly);
        string expected = File.Exists(baselinePath) ? File.ReadAllText(baselinePath).Replace("\r\n", "\n") : "";
        if (expected == actual) return;
        Directory.CreateDirectory(dir);
        string received = Path.ChangeExtension(baselinePath, ".received.txt");
        File.WriteAllText(received, actual);
        var diff = new StringBuilder();
        var e = expected.Split('\n').ToHashSet();
        var a = actual.Split('\n').ToHashSet();
        foreach (var line in a.Except(e)) diff.AppendLine("+ " + line);
        foreach (var line in e.Except(a)) diff.AppendLine("- " + line);
        throw new InvalidOperationException($"The public API of {assembly.GetName().Name} changed. If intended, review and run:\n  cp {received} {baselinePath}\n{diff}");
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StructuredLog.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
