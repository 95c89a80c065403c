namespace StructuredLog.Sinks.File;

/// <summary>What an exclusive-mode sink does when another sink (in this or another process) already writes the same path.</summary>
public enum FileLockConflict
{
    /// <summary>Write to a file set of its own, named after the process id (<c>app_1234-20261125.log</c>), and say so in the self-log.</summary>
    UseOwnFile,
    /// <summary>Fail at construction with an <see cref="IOException"/> that names the path and the lock file.</summary>
    Throw,
}
