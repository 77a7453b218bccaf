namespace Kiln.Server;

/// <summary>The server cannot start: its message is one line naming what is missing and the setting
/// to change, for <c>kiln server</c> to print as it is (no stack trace).</summary>
public sealed class StartupException(string message, Exception? innerException = null) : Exception(message, innerException);
