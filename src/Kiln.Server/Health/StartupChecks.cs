using System.Data.Common;
using System.Net.Sockets;
using Kiln.Data;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Health;

/// <summary>What the server cannot run without, checked before it migrates: a data folder it can write
/// and a database that answers. Each failure is a <see cref="StartupException"/> naming the setting to
/// change. (A missing git is only a warning: see <see cref="Projects.Git.CheckAsync"/>.)</summary>
internal static class StartupChecks
{
    private const string DataSetting = "set --data (or KILN_DATA) to a folder the server can write";

    public static void CheckDataFolder(string data)
    {
        try
        {
            Directory.CreateDirectory(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET says "Could not find a part of the path" when a file is in the way (ENOTDIR): name the file.
            var reason = FileInTheWay(data) is { } file ? $"'{file}' is a file, not a folder" : OneLine(e);
            throw new StartupException($"the data folder '{data}' cannot be created: {reason}; {DataSetting}.", e);
        }

        // Root may create a folder it then cannot write (a read-only mount): write a file to be sure.
        var probe = Path.Combine(data, $".write-check-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"the data folder '{data}' is not writable: {OneLine(e)}; {DataSetting}.", e);
        }
    }

    /// <summary>Opens one connection. Failures to connect are the settings' fault far more often than the
    /// migrations', so they are told apart here rather than by catching around the migration.</summary>
    public static async Task CheckDatabaseAsync(Func<KilnDbContext> context, KilnServerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var db = context();
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        catch (Exception e) when (ConnectionFailure(e) is { } cause)
        {
            throw new StartupException(options.IsPostgres
                ? $"the PostgreSQL database cannot be reached: {OneLine(cause)}; check --db-connection (or KILN_DB_CONNECTION)."
                : $"the SQLite database in '{options.Data}' cannot be opened: {OneLine(cause)}; {DataSetting}.", e);
        }
    }

    /// <summary>The database's own complaint: EF Core's retrying strategy wraps it in an InvalidOperationException
    /// ("likely due to a transient failure"), which says nothing about what to fix. An ArgumentException is a
    /// malformed connection string.</summary>
    private static Exception? ConnectionFailure(Exception e)
    {
        if (e is ArgumentException)
        {
            return e;
        }

        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is DbException or SocketException or TimeoutException)
            {
                return cause;
            }
        }

        return null;
    }

    private static string? FileInTheWay(string folder)
    {
        for (var path = Path.GetFullPath(folder); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>The exception's message with its cause's ("Failed to connect to 127.0.0.1:1 (Connection refused)"), on one line.</summary>
    private static string OneLine(Exception e)
    {
        var message = e.Message;
        if (e.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += $" ({inner.Message})";
        }

        // Without its final full stop: the caller goes on after a semicolon.
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
    }
}
