using System.Diagnostics;

namespace Kiln.Server.Tests;

/// <summary>A throwaway git repository on <c>main</c> with one commit holding <c>.kiln.yml</c>, for tests
/// of repository-backed projects. Deleted on dispose.</summary>
internal sealed class TestGitRepo : IDisposable
{
    private TestGitRepo(string path) => Path = path;

    public string Path { get; }

    public static async Task<TestGitRepo> CreateAsync(string pipeline)
    {
        var repo = new TestGitRepo(Directory.CreateTempSubdirectory("kiln-server-repo-").FullName);
        await repo.GitAsync("init", "-q", "-b", "main");
        await File.WriteAllTextAsync(System.IO.Path.Combine(repo.Path, ".kiln.yml"), pipeline);
        await repo.GitAsync("add", "-A");
        await repo.GitAsync("-c", "user.name=Kiln Test", "-c", "user.email=test@kiln.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "pipeline");
        return repo;
    }

    /// <summary>Writes <paramref name="file"/> and commits it (and anything else changed) on the current branch; the new commit's id.</summary>
    public async Task<string> CommitAsync(string file, string content, string message)
    {
        var path = System.IO.Path.Combine(Path, file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content);
        await GitAsync("add", "-A");
        await GitAsync("-c", "user.name=Kiln Test", "-c", "user.email=test@kiln.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message);
        return await HeadAsync();
    }

    /// <summary>The id of the commit checked out.</summary>
    public async Task<string> HeadAsync() => (await OutputAsync("rev-parse", "HEAD")).Trim();

    public async Task<string> OutputAsync(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}{await output}");
        return await output;
    }

    public Task GitAsync(params string[] args) => OutputAsync(args);

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
