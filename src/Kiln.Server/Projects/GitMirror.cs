using Microsoft.Extensions.Options;

namespace Kiln.Server.Projects;

/// <summary>A resolved ref: the commit, and the branch or tag it named (neither for a bare sha).</summary>
public sealed record ResolvedRef(string Commit, string Ref, string? Branch, string? Tag);

/// <summary>A file read from a commit; <c>Bytes</c> is null when it was too large to read.</summary>
public sealed record RepoFile(long Size, byte[]? Bytes);

/// <summary>The server's bare mirror of each project's repository, under <c>DATA/repos/</c>.
/// Refs are resolved and pipeline files read from it, never from a work tree.</summary>
public sealed class GitMirror(Git git, IOptions<KilnServerOptions> options)
{
    public string PathFor(long projectId) => Path.Combine(options.Value.Data, "repos", $"{projectId}.git");

    /// <summary>Checks that the repository can be read at all; returns git's complaint if not.</summary>
    public async Task<string?> CheckReadableAsync(string repoUrl, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(null, ["ls-remote", "--heads", "--", repoUrl], cancellationToken);
        return result.Ok ? null : result.Complaint;
    }

    /// <summary>Clones the mirror into a temporary folder and moves it in place, so a half-made mirror is never seen.</summary>
    public async Task<string?> CreateAsync(long projectId, string repoUrl, CancellationToken cancellationToken)
    {
        var path = PathFor(projectId);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var result = await git.RunAsync(null, ["clone", "--mirror", "--quiet", "--", repoUrl, temp], cancellationToken);
        if (!result.Ok)
        {
            Delete(temp);
            return result.Complaint;
        }

        Delete(path);
        Directory.Move(temp, path);
        return null;
    }

    /// <summary>Brings the mirror up to date with its origin; creates it if it is missing.</summary>
    public async Task<string?> FetchAsync(long projectId, string repoUrl, CancellationToken cancellationToken)
    {
        var path = PathFor(projectId);
        if (!Directory.Exists(path))
        {
            return await CreateAsync(projectId, repoUrl, cancellationToken);
        }

        var result = await git.RunAsync(path, ["fetch", "--prune", "--quiet", "origin"], cancellationToken);
        return result.Ok ? null : result.Complaint;
    }

    public async Task<ResolvedRef?> ResolveAsync(long projectId, string reference, CancellationToken cancellationToken)
    {
        // A ref never starts with '-', so it cannot be taken for an option.
        if (reference.StartsWith('-'))
        {
            return null;
        }

        var path = PathFor(projectId);
        var commit = await git.RunAsync(path, ["rev-parse", "--verify", "--quiet", reference + "^{commit}"], cancellationToken);
        if (!commit.Ok)
        {
            return null;
        }

        var full = await git.RunAsync(path, ["rev-parse", "--symbolic-full-name", reference], cancellationToken);
        var name = full.Ok ? full.StdOut.Trim() : "";
        string? branch = name.StartsWith("refs/heads/", StringComparison.Ordinal) ? name["refs/heads/".Length..] : null;
        string? tag = name.StartsWith("refs/tags/", StringComparison.Ordinal) ? name["refs/tags/".Length..] : null;
        return new ResolvedRef(commit.StdOut.Trim(), name.Length > 0 ? name : reference, branch, tag);
    }

    /// <summary>A file at a commit, or null if the commit has no such file. A file larger than
    /// <paramref name="maxBytes"/> is not read: its <see cref="RepoFile.Bytes"/> are null.</summary>
    public async Task<RepoFile?> ReadFileAsync(long projectId, string commit, string file, int maxBytes, CancellationToken cancellationToken)
    {
        var path = PathFor(projectId);
        var size = await git.RunAsync(path, ["cat-file", "-s", $"{commit}:{file}"], cancellationToken);
        if (!size.Ok)
        {
            return null;
        }

        var length = long.Parse(size.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (length > maxBytes)
        {
            return new RepoFile(length, null);
        }

        var (exitCode, bytes, _) = await git.RunRawAsync(path, ["cat-file", "blob", $"{commit}:{file}"], cancellationToken);
        return exitCode == 0 ? new RepoFile(length, bytes) : null;
    }

    /// <summary>The files a commit changed against its first parent (all its files for a root commit);
    /// null if git cannot tell, so that <c>when.changes</c> filters pass rather than drop jobs.</summary>
    public async Task<IReadOnlyList<string>?> ChangedFilesAsync(long projectId, string commit, CancellationToken cancellationToken)
    {
        var path = PathFor(projectId);
        var parent = await git.RunAsync(path, ["rev-parse", "--verify", "--quiet", commit + "^1"], cancellationToken);
        var result = parent.Ok
            ? await git.RunAsync(path, ["-c", "core.quotePath=false", "diff", "--name-only", "--no-renames", parent.StdOut.Trim(), commit], cancellationToken)
            : await git.RunAsync(path, ["-c", "core.quotePath=false", "ls-tree", "-r", "--name-only", commit], cancellationToken);
        return result.Ok ? result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries) : null;
    }

    /// <summary>The files a push changed: every file that any commit of <c>before..commit</c> touched, merges
    /// included (the net diff of the range, and each commit's own files). A new branch (<paramref name="before"/>
    /// null or zeros) is compared from its merge base with <paramref name="defaultBranch"/>; with no
    /// <paramref name="defaultBranch"/> the range is a pull request's, compared from the merge base of its base
    /// commit <paramref name="before"/>. Null if git cannot tell, so that <c>when.changes</c> passes.</summary>
    public async Task<IReadOnlyList<string>?> ChangedFilesAsync(long projectId, string? before, string commit, string? defaultBranch, CancellationToken cancellationToken)
    {
        var path = PathFor(projectId);
        var from = before is null || before.All(c => c == '0') ? null : before;
        if (from is not null && defaultBranch is null)
        {
            from = await MergeBaseAsync(path, from, commit, cancellationToken);
        }
        else if (from is null && defaultBranch is not null)
        {
            from = await MergeBaseAsync(path, "refs/heads/" + defaultBranch, commit, cancellationToken);
        }

        if (from is null || from == commit)
        {
            return await ChangedFilesAsync(projectId, commit, cancellationToken);
        }

        var diff = await git.RunAsync(path, ["-c", "core.quotePath=false", "diff", "--name-only", "--no-renames", from, commit], cancellationToken);
        var log = await git.RunAsync(path, ["-c", "core.quotePath=false", "log", "--format=", "--name-only", "--no-renames", $"{from}..{commit}"], cancellationToken);
        return diff.Ok && log.Ok
            ? [.. diff.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Concat(log.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)]
            : null;
    }

    /// <summary>The commit's whole message, or null if git cannot read it.</summary>
    public async Task<string?> MessageAsync(long projectId, string commit, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(PathFor(projectId), ["log", "-1", "--format=%B", commit], cancellationToken);
        return result.Ok ? result.StdOut : null;
    }

    private async Task<string?> MergeBaseAsync(string path, string a, string b, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(path, ["merge-base", a, b], cancellationToken);
        return result.Ok ? result.StdOut.Trim() : null;
    }

    public void Remove(long projectId) => Delete(PathFor(projectId));

    private static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
