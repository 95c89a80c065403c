namespace StructuredLog;

/// <summary>Thrown when a pipeline is built from bad configuration; the message names the key and the bad value.</summary>
public sealed class LogConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogConfigurationException(string key, string? value, string problem)
        : base($"StructuredLog configuration '{key}' has an invalid value '{value}': {problem}")
    {
        Key = key;
        Value = value;
    }

    /// <summary>The configuration key (environment variable or option name).</summary>
    public string Key { get; }

    /// <summary>The rejected value.</summary>
    public string? Value { get; }
}
