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

    public async Task GitAsync(params string[] args)
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
