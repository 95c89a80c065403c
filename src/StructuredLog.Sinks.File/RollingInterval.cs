namespace StructuredLog.Sinks.File;

/// <summary>How often a new file is started regardless of size.</summary>
public enum RollingInterval
{
    /// <summary>Never roll by time (only by size, if a size limit is set).</summary>
    None,
    /// <summary>A new file every hour (file names carry <c>yyyyMMddHH</c>).</summary>
    Hour,
    /// <summary>A new file every day (file names carry <c>yyyyMMdd</c>).</summary>
    Day,
}
