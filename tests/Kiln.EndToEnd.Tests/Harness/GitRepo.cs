namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>A temporary git repository on branch <c>main</c> with a local author, deleted on dispose.</summary>
public sealed class GitRepo : IDisposable
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(60);

    private GitRepo(string path) => Path = path;

    public string Path { get; }

    public static async Task<GitRepo> CreateAsync()
    {
        var repo = new GitRepo(Directory.CreateTempSubdirectory("kiln-e2e-repo-").FullName);
        await repo.GitAsync("init", "-q", "-b", "main");
        await repo.GitAsync("config", "user.name", "Kiln E2E");
        await repo.GitAsync("config", "user.email", "e2e@kiln.invalid");
        await repo.GitAsync("config", "commit.gpgsign", "false");
        return repo;
    }

    /// <summary>Writes a file (creating folders) relative to the repository root.</summary>
    public void WriteFile(string relativePath, string text)
    {
        var fullPath = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        File.WriteAllText(fullPath, text);
    }

    public void DeleteFile(string relativePath) => File.Delete(System.IO.Path.Combine(Path, relativePath));

    /// <summary>Stages everything and commits; returns the new commit's full sha.</summary>
    public async Task<string> CommitAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "--allow-empty", "-m", message);
        return (await GitAsync("rev-parse", "HEAD")).Trim();
    }

    /// <summary>Creates a branch at HEAD and checks it out.</summary>
    public Task CreateBranchAsync(string name) => GitAsync("checkout", "-q", "-b", name);

    public Task CheckoutAsync(string name) => GitAsync("checkout", "-q", name);

    /// <summary>Runs git in the repository and returns its stdout; throws with the output if it fails.</summary>
    public async Task<string> GitAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("git", args, GitTimeout, Path);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {Path}: {result.Output}");
        }

        return result.Stdout;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
