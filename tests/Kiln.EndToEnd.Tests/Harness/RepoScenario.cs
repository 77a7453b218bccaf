namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>
/// One test's world: its own server, a git repository whose first commit holds <c>.kiln.yml</c>
/// (plus any extra files), and, unless asked otherwise, the repo-backed project <c>app</c>. The server runs on
/// SQLite unless <c>database</c> says otherwise.
/// </summary>
public sealed class RepoScenario : IAsyncDisposable
{
    public const string Project = "app";

    private RepoScenario(KilnServerProcess server, GitRepo repo, string commit)
    {
        Server = server;
        Repo = repo;
        Commit = commit;
    }

    public KilnServerProcess Server { get; }

    public GitRepo Repo { get; }

    /// <summary>The sha of the commit that holds the pipeline.</summary>
    public string Commit { get; }

    public KilnApi Api => Server.Api;

    public static async Task<RepoScenario> StartAsync(
        string? kilnYml,
        bool addProject = true,
        IReadOnlyDictionary<string, string>? files = null,
        KilnDatabase database = KilnDatabase.Sqlite)
    {
        var repo = await GitRepo.CreateAsync();
        try
        {
            repo.WriteFile("README.md", "e2e fixture\n");
            if (kilnYml is not null)
            {
                repo.WriteFile(".kiln.yml", kilnYml);
            }

            foreach (var (path, text) in files ?? new Dictionary<string, string>())
            {
                repo.WriteFile(path, text);
            }

            var commit = await repo.CommitAsync("fixture");
            var server = await KilnServerProcess.StartNewAsync(database: database);
            try
            {
                if (addProject)
                {
                    await server.Api.CreateRepoProjectAsync(Project, repo.Path);
                }
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            return new RepoScenario(server, repo, commit);
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Repo.Dispose();
    }
}
