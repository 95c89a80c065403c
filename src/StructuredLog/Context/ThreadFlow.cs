using System.Runtime.CompilerServices;

namespace StructuredLog.Context;

/// <summary>
/// What a logging call reads of its thread through one thread-local read: the thread itself, its id, and whether
/// anything is set on its async flow at all.
/// </summary>
/// <remarks>
/// Every <see cref="AsyncLocal{T}"/> value, <c>Activity.Current</c> and <see cref="ScopeNode.Current"/> among them, lives
/// in the thread's current <see cref="ExecutionContext"/>, and a thread on which no async-local value has been set has
/// none: the runtime keeps that context in the thread's <c>_executionContext</c> field and leaves it null. A
/// thread-local read costs a call into the runtime on Linux x64 (.NET 10, as measured: the JIT does not inline it), and a
/// call used to pay two: one for its cached thread id and one inside <c>Activity.Current</c>. It now reads
/// <see cref="Thread.CurrentThread"/> once, takes the id from it, and reads <c>Activity.Current</c> and the scope only when
/// the flow holds anything. The field is private to the runtime: if a runtime does not have it (checked once, when this
/// class is first used), <see cref="HasFlow"/> answers true and the call reads both as it did before.
/// </remarks>
internal static class ThreadFlow
{
    /// <summary>True when the runtime's field was found (this process then skips the async-local reads on empty flows).</summary>
    internal static readonly bool CanReadContext = Probe();

    /// <summary>
    /// False only when <paramref name="thread"/> (the current thread) has no execution context, so that every async-local
    /// value, the current activity and the current scope, is null on it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasFlow(Thread thread) => !CanReadContext || ContextOf(thread) is not null;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_executionContext")]
    private static extern ref ExecutionContext? ContextOf(Thread thread);

    private static bool Probe()
    {
        try
        {
            // The field must exist and be what ExecutionContext.Capture reads: when it holds a context, Capture answers that
            // one (or null, when the flow is suppressed). StructuredLog.Tests checks the rest (ThreadFlowTests).
            var context = ContextOf(Thread.CurrentThread);
            var captured = ExecutionContext.Capture();
            return context is null || captured is null || ReferenceEquals(context, captured);
        }
        catch (Exception)
        {
            return false; // MissingFieldException on a runtime without it: read the async-locals on every call
        }
    }
}
