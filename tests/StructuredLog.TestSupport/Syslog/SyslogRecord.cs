using System.Text.Json;

namespace StructuredLog.TestSupport.Syslog;

/// <summary>One message as rsyslog parsed it (its own properties, written by the fixture's JSON template).</summary>
public sealed record SyslogRecord(
    int Pri, int Facility, int Severity, string Hostname, string AppName, string ProcId, string MsgId,
    string StructuredData, string Message, string Input, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Params)
{
    /// <summary>The parameter <paramref name="name"/> of SD element <paramref name="sdId"/>, as rsyslog's mmpstrucdata unescaped it.</summary>
    public string? Param(string sdId, string name) =>
        Params.TryGetValue(sdId, out var p) && p.TryGetValue(name, out var v) ? v : null;

    /// <summary>MSG without the leading UTF-8 BOM (U+FEFF), if any.</summary>
    public string MessageText => Message.StartsWith('\uFEFF') ? Message[1..] : Message;

    internal static SyslogRecord Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        string S(string n) => r.TryGetProperty(n, out var v) ? v.GetString() ?? "" : "";
        var pars = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var parsed = S("parsed");
        if (parsed.StartsWith('{'))
        {
            using var pd = JsonDocument.Parse(parsed);
            foreach (var el in pd.RootElement.EnumerateObject())
            {
                var d = new Dictionary<string, string>();
                foreach (var p in el.Value.EnumerateObject()) d[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                pars[el.Name] = d;
            }
        }
        return new SyslogRecord(int.Parse(S("pri")), int.Parse(S("facility")), int.Parse(S("severity")), S("hostname"), S("app"),
            S("procid"), S("msgid"), S("sd"), S("msg"), S("input"), pars);
    }
}
