using System.Text.Json;
using System.Text.Unicode;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// The JSON-escaped UTF-8 pieces of one <see cref="MessageTemplate"/>, computed once and kept on the
/// template: its text (for <c>@mt</c>), each literal token (for the rendered message) and each
/// argument's property name with quotes and colon. Escaping is the formatter's fixed encoder, so the
/// pieces do not depend on any formatter option and are shared by every formatter and thread.
/// </summary>
internal sealed class JsonTemplateForms
{
    private JsonTemplateForms(MessageTemplate template)
    {
        Text = Escape(template.Text);
        var tokens = template.TokenArray;
        Literals = new byte[]?[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i].LiteralUtf8 is { } literal) Literals[i] = JsonEncodedText.Encode(literal, JsonFormatter.Encoder).EncodedUtf8Bytes.ToArray();
        }
        var names = template.PropertyNames;
        Names = new byte[names.Count][];
        for (int i = 0; i < names.Count; i++) Names[i] = PropertyName(names[i]);
        CompactTemplateField = [.. ",\"@mt\":\""u8, .. Text, (byte)'"'];
        MessageEndAndCompactTemplateField = [(byte)'"', .. CompactTemplateField];
    }

    /// <summary><c>","@mt":"text"</c>: the rendered message's closing quote and the template field in one copy.</summary>
    public readonly byte[] MessageEndAndCompactTemplateField;

    /// <summary><c>,"@mt":"text"</c>: the compact template field in one copy.</summary>
    public readonly byte[] CompactTemplateField;

    /// <summary>The escaped template text, without quotes.</summary>
    public readonly byte[] Text;

    /// <summary>Per token: the escaped literal text, or null for a hole.</summary>
    public readonly byte[]?[] Literals;

    /// <summary>Per argument index: <c>,"Name":</c>, escaped (every property follows another field).</summary>
    public readonly byte[][] Names;

    /// <summary>The forms of <paramref name="template"/> (built on first use; a race builds them twice, harmlessly).</summary>
    public static JsonTemplateForms For(MessageTemplate template) =>
        template.JsonForms as JsonTemplateForms ?? (JsonTemplateForms)(template.JsonForms = new JsonTemplateForms(template));

    /// <summary>Escaped UTF-8 of <paramref name="text"/> without quotes (invalid UTF-16 becomes U+FFFD).</summary>
    public static byte[] Escape(string text)
    {
        var utf8 = new byte[text.Length * 3];
        Utf8.FromUtf16(text, utf8, out _, out int written, replaceInvalidSequences: true);
        return JsonEncodedText.Encode(utf8.AsSpan(0, written), JsonFormatter.Encoder).EncodedUtf8Bytes.ToArray();
    }

    /// <summary><c>,"name":</c> with the name escaped; a name longer than 1,024 chars is cut with a marker.</summary>
    public static byte[] PropertyName(string name)
    {
        const int MaxNameChars = 1024;
        if (name.Length > MaxNameChars)
        {
            int end = char.IsHighSurrogate(name[MaxNameChars - 1]) ? MaxNameChars - 1 : MaxNameChars;
            name = string.Concat(name.AsSpan(0, end), "...[truncated ", (name.Length - MaxNameChars).ToString(System.Globalization.CultureInfo.InvariantCulture), " chars]");
        }
        return [(byte)',', (byte)'"', .. Escape(name), (byte)'"', (byte)':'];
    }
}
