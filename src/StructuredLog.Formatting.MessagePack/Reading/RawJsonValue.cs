using System.Text;

namespace StructuredLog.Formatting.MessagePack;

/// <summary>A destructured object (<c>{@Name}</c>) as the JSON text the JSON formatter would have written.</summary>
public sealed class RawJsonValue(byte[] utf8) : IEquatable<RawJsonValue>
{
    /// <summary>The JSON text, UTF-8.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    /// <inheritdoc />
    public bool Equals(RawJsonValue? other) => other is not null && Utf8.Span.SequenceEqual(other.Utf8.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RawJsonValue);

    /// <inheritdoc />
    public override int GetHashCode() => Utf8.Length;

    /// <inheritdoc />
    public override string ToString() => Encoding.UTF8.GetString(Utf8.Span);
}
