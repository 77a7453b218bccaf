namespace Kiln.Server.Tests;

/// <summary>What the server cannot start without is refused at start with one line naming the problem
/// and the setting to change (<see cref="StartupException"/>), not a stack trace later.</summary>
public sealed class StartupCheckTests
{
    [Fact]
    public async Task A_data_folder_that_cannot_be_created_names_the_folder_and_the_setting()
    {
        // Tests run as root, who can write anywhere, but no one can make a folder under a regular file.
        var root = KilnTestServer.NewDataDir();
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "file"), "not a folder");
        var dataDir = Path.Combine(root, "file", "data");
        var app = KilnTestServer.Build(dataDir);
        try
        {
            var e = await Assert.ThrowsAsync<StartupException>(() => ServerHost.PrepareAsync(app, CancellationToken.None));

            Assert.StartsWith($"the data folder '{dataDir}' cannot be created: '{Path.Combine(root, "file")}' is a file, not a folder; ", e.Message, StringComparison.Ordinal);
            Assert.Contains("--data (or KILN_DATA)", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_postgres_database_that_does_not_answer_names_the_connection_setting()
    {
        var dataDir = KilnTestServer.NewDataDir();
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var app = KilnTestServer.Build(dataDir, "--Kiln:Db=postgres", "--Kiln:DbConnection=Host=127.0.0.1;Port=1;Username=kiln;Database=kiln;Timeout=5");
        try
        {
            var e = await Assert.ThrowsAsync<StartupException>(() => ServerHost.PrepareAsync(app, CancellationToken.None));

            Assert.StartsWith("the PostgreSQL database cannot be reached: Failed to connect to 127.0.0.1:1 (", e.Message, StringComparison.Ordinal);
            Assert.Contains("--db-connection (or KILN_DB_CONNECTION)", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            await app.DisposeAsync();
            KilnTestServer.DeleteDataDir(dataDir);
        }
    }
}
