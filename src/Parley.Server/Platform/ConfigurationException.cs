namespace Parley.Server.Platform;

/// <summary>A setting is missing or wrong; the server says which and exits with status 2 instead of starting.</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
