namespace StructuredLog.Events;

/// <summary>The type tag of a captured <see cref="LogValue"/>.</summary>
public enum LogValueKind : byte
{
    /// <summary>No value (a null reference or an empty nullable).</summary>
    Null,
    /// <summary><see cref="bool"/>.</summary>
    Boolean,
    /// <summary><see cref="char"/>.</summary>
    Char,
    /// <summary><see cref="byte"/>.</summary>
    Byte,
    /// <summary><see cref="sbyte"/>.</summary>
    SByte,
    /// <summary><see cref="short"/>.</summary>
    Int16,
    /// <summary><see cref="ushort"/>.</summary>
    UInt16,
    /// <summary><see cref="int"/>.</summary>
    Int32,
    /// <summary><see cref="uint"/>.</summary>
    UInt32,
    /// <summary><see cref="long"/>.</summary>
    Int64,
    /// <summary><see cref="ulong"/>.</summary>
    UInt64,
    /// <summary><see cref="float"/>.</summary>
    Single,
    /// <summary><see cref="double"/>.</summary>
    Double,
    /// <summary><see cref="decimal"/>.</summary>
    Decimal,
    /// <summary><see cref="System.DateTime"/>.</summary>
    DateTime,
    /// <summary><see cref="System.DateTimeOffset"/>.</summary>
    DateTimeOffset,
    /// <summary><see cref="System.TimeSpan"/>.</summary>
    TimeSpan,
    /// <summary><see cref="System.Guid"/>.</summary>
    Guid,
    /// <summary>An enum value, stored as its underlying integer with the enum type.</summary>
    Enum,
    /// <summary><see cref="string"/>, captured by reference.</summary>
    String,
    /// <summary>Any other object, captured by reference and formatted on the writer thread.</summary>
    Object,
}
