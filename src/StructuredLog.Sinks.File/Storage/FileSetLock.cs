using System.Security.Cryptography;
using System.Text;

namespace StructuredLog.Sinks.File.Storage;

/// <summary>
/// Who may write a file set. Exclusive mode holds <c>app.log.lock</c> with an exclusive OS lock (on Unix
/// .NET takes <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>) for the sink's lifetime; shared mode
/// holds it shared, so exclusive and shared writers exclude each other, and serialises every append
/// through a machine-wide named mutex.
/// </summary>
internal sealed class FileSetLock : IDisposable
{
    private readonly FileStream _lockFile;
    private readonly Mutex? _mutex;

    private FileSetLock(FileStream lockFile, Mutex? mutex, string lockPath)
    {
        _lockFile = lockFile;
        _mutex = mutex;
        LockPath = lockPath;
    }

    public string LockPath { get; }

    /// <summary>Takes the lock; null when another writer holds it in a conflicting mode.</summary>
    public static FileSetLock? TryAcquire(RolledFileSet set, bool shared)
    {
        System.IO.Directory.CreateDirectory(set.Directory);
        string lockPath = System.IO.Path.Combine(set.Directory, set.BaseName + set.Extension + ".lock");
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, shared ? FileShare.ReadWrite | FileShare.Delete : FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
        Mutex? mutex = null;
        if (shared)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(lockPath)));
            mutex = new Mutex(false, "StructuredLog.FileSink." + Convert.ToHexString(hash, 0, 16));
        }
        return new FileSetLock(stream, mutex, lockPath);
    }

    /// <summary>In shared mode, holds the machine-wide append lock until disposed; in exclusive mode does nothing.</summary>
    public Scope EnterAppend()
    {
        if (_mutex is null) return default;
        try
        {
            _mutex.WaitOne();
            return new Scope(_mutex, false);
        }
        catch (AbandonedMutexException)
        {
            // A process died holding it: we own it now; the caller repairs the torn tail it may have left.
            return new Scope(_mutex, true);
        }
    }

    public void Dispose()
    {
        _mutex?.Dispose();
        _lockFile.Dispose();
    }

    public readonly struct Scope(Mutex? mutex, bool abandoned) : IDisposable
    {
        /// <summary>True when the previous holder died while appending.</summary>
        public bool Abandoned => abandoned;

        public void Dispose() => mutex?.ReleaseMutex();
    }
}
