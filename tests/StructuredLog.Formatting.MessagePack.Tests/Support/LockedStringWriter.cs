namespace StructuredLog.Formatting.MessagePack.Tests.Support;

/// <summary>A string writer another thread may read while the command writes.</summary>
public sealed class LockedStringWriter : StringWriter
{
    private readonly object _lock = new();

    public override void Write(char value) { lock (_lock) base.Write(value); }

    public override void Write(string? value) { lock (_lock) base.Write(value); }

    public override void Write(char[] buffer, int index, int count) { lock (_lock) base.Write(buffer, index, count); }

    public string Snapshot() { lock (_lock) return ToString(); }
}
