using System.Text.Json;
using Kiln.Core.Builds;
using Kiln.Core.Pipelines;
using Kiln.Core.Triggers;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Kiln.Server.Projects;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

/// <summary>What a trigger asks for. <c>Ref</c> null means the project's default branch.</summary>
public sealed record TriggerRequest(string Project, string? Ref, IReadOnlyDictionary<string, string> Inputs, TriggerEvent Event, string TriggeredBy)
{
    /// <summary>What a forge said was pushed, for a webhook's build: the commit, and the branch or tag of
    /// <c>Ref</c>; null for a trigger that names a ref to resolve.</summary>
    public ForgePush? Push { get; init; }
}

/// <summary>A forge event's build: the commit pushed and what it was pushed to (<c>Ref</c> of the request is
/// its ref), the range pushed (<c>Before</c>: null or zeros for a new branch; a pull request's base
/// commit), the forge and its delivery, and for a pull request its number, base branch and whether it
/// comes from a fork (then <c>RequireApproval</c> makes its jobs wait as <c>manual</c>).</summary>
public sealed record ForgePush(string Commit, string? Branch, string? Tag)
{
    public string? Before { get; init; }
    public string? Message { get; init; }
    public Forge? Forge { get; init; }
    public string? DeliveryId { get; init; }
    public int? PullRequest { get; init; }
    public string? BaseBranch { get; init; }
    public bool FromFork { get; init; }
    public bool RequireApproval { get; init; }
}

/// <summary>The outcome of a trigger: a queued build; a build that ended <c>error</c> at once because
/// its pipeline is unusable (Errors say why); or no build at all (NotFound / Rejected).</summary>
public sealed record TriggerResult(long? BuildId, int? BuildNumber, TriggerFailure? Failure, string? Message, IReadOnlyList<string> Errors)
{
    /// <summary>Why the build was made <c>skipped</c>; null for a build that runs.</summary>
    public string? Skipped { get; init; }

    public static TriggerResult Fail(TriggerFailure failure, string message) => new(null, null, failure, message, []);
}

public enum TriggerFailure
{
    ProjectNotFound,
    Rejected,
    PipelineInvalid,
}

/// <summary>Turns a trigger into a build: resolves the ref with git, reads <c>.kiln.yml</c> at that
/// commit, plans the jobs and inserts build, jobs and steps in one transaction; then cancels the older
/// builds the new one supersedes (<see cref="SupersedeAsync"/>).</summary>
public sealed class BuildTrigger(KilnDbContext db, IJobQueue queue, BuildCanceler canceler, GitMirror mirror, ChangeNotifier notifier, TimeProvider time)
{
    public const string PipelineFile = ".kiln.yml";

    public async Task<TriggerResult> TriggerAsync(TriggerRequest request, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == request.Project, cancellationToken);
        if (project is null)
        {
            return TriggerResult.Fail(TriggerFailure.ProjectNotFound, $"There is no project named '{request.Project}'.");
        }

        string yaml;
        string? message = null;
        ResolvedRef? resolved = null;
        Func<string, string?>? includes = null;
        IReadOnlyList<string>? changedFiles = null;
        if (project.RepoUrl is { } repo)
        {
            if (await mirror.FetchAsync(project.Id, repo, cancellationToken) is { } fetchError)
            {
                return TriggerResult.Fail(TriggerFailure.Rejected, $"The repository '{repo}' could not be fetched: {fetchError}");
            }

            var reference = string.IsNullOrWhiteSpace(request.Ref) ? project.DefaultBranch : request.Ref.Trim();
            resolved = request.Push is { } push
                ? await mirror.ResolveAsync(project.Id, push.Commit, cancellationToken) is { } commit
                    ? new ResolvedRef(commit.Commit, reference, push.Branch, push.Tag)
                    : null
                : await mirror.ResolveAsync(project.Id, reference, cancellationToken);
            if (resolved is null)
            {
                return TriggerResult.Fail(TriggerFailure.Rejected, request.Push is { } missing
                    ? $"The commit {missing.Commit} pushed to '{reference}' is not in '{repo}' after fetching it."
                    : $"The ref '{reference}' was not found in '{repo}' (no such branch, tag or commit).");
            }

            var file = await mirror.ReadFileAsync(project.Id, resolved.Commit, PipelineFile, PipelineText.MaxBytes, cancellationToken);
            if (file is null)
            {
                return await CreateErrorBuildAsync(project, request, resolved,
                    $"Commit {resolved.Commit[..12]} has no {PipelineFile} at the repository root.", [], cancellationToken);
            }

            if (!TryDecode(file, PipelineFile, out yaml, out var unreadable))
            {
                return await CreateErrorBuildAsync(project, request, resolved, "The pipeline file cannot be read.", [unreadable!.ToString()], cancellationToken);
            }

            includes = await ReadIncludesAsync(project.Id, resolved.Commit, yaml, cancellationToken);
            changedFiles = request.Push is { } range
                ? await mirror.ChangedFilesAsync(project.Id, range.Before, resolved.Commit, range.PullRequest is null ? project.DefaultBranch : null, cancellationToken)
                : await mirror.ChangedFilesAsync(project.Id, resolved.Commit, cancellationToken);
            message = await mirror.MessageAsync(project.Id, resolved.Commit, cancellationToken);
        }
        else
        {
            yaml = project.PipelineYaml ?? "";
            // A task-only project builds no commit of its own; a webhook's still says what was pushed.
            resolved = request.Push is { } push ? new ResolvedRef(push.Commit, request.Ref ?? "", push.Branch, push.Tag) : null;
        }

        var forgeEvent = request.Event is TriggerEvent.Push or TriggerEvent.Tag or TriggerEvent.PullRequest;
        if (forgeEvent && SkipMarker.Find(message ?? request.Push?.Message) is { } marker)
        {
            return await CreateSkippedBuildAsync(project, request, resolved, $"{marker} in the commit message", cancellationToken);
        }

        var parsed = PipelineParser.Parse(yaml, project.RepoUrl is null ? "pipeline" : PipelineFile, includes);
        if (!parsed.Success)
        {
            var errors = parsed.Errors.Select(e => e.ToString()).ToList();
            return await CreateErrorBuildAsync(project, request, resolved,
                $"The pipeline is not valid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}).", errors, cancellationToken);
        }

        var pipeline = parsed.Pipeline!;
        // A pull request is filtered by the branch it would merge into.
        var filterBranch = request.Push?.PullRequest is null ? resolved?.Branch : request.Push.BaseBranch;
        if (!pipeline.On.Allows(request.Event, filterBranch, resolved?.Tag))
        {
            var why = $"The pipeline's 'on' does not build '{request.Event.ToWire()}' events{(filterBranch is { } b ? $" of branch '{b}'" : "")}{(resolved?.Tag is { } t ? $" of tag '{t}'" : "")}.";
            // A forge event the filters remove is recorded, so that its commit check does not hang pending.
            return forgeEvent
                ? await CreateSkippedBuildAsync(project, request, resolved, why, cancellationToken)
                : TriggerResult.Fail(TriggerFailure.Rejected, why);
        }

        var (inputs, inputErrors) = InputResolver.Resolve(pipeline.Inputs, request.Inputs);
        if (inputErrors.Count > 0)
        {
            return new TriggerResult(null, null, TriggerFailure.Rejected, "The inputs do not match the pipeline's 'inputs'.", inputErrors);
        }

        var plan = PipelinePlanner.Plan(pipeline, new PlanContext
        {
            Event = request.Event,
            Branch = filterBranch,
            Tag = resolved?.Tag,
            ChangedFiles = changedFiles,
            Inputs = inputs,
        });
        if (plan.Count > 0 && plan.All(j => j.SkipReason is not null))
        {
            return await CreateSkippedBuildAsync(project, request with { Inputs = inputs }, resolved, $"every job was skipped ({plan[0].Name}: {plan[0].SkipReason})", cancellationToken);
        }

        var build = NewBuild(project, request with { Inputs = inputs }, resolved);
        build.Status = BuildStatus.Queued;
        var now = time.UtcNow();
        var ordinal = 0;
        var priority = QueueClasses.For(request.Event);
        // A push waits out the project's cooldown; a newer push of the branch supersedes it meanwhile.
        DateTime? notBefore = request.Event == TriggerEvent.Push && project.CooldownSeconds > 0 ? now.AddSeconds(project.CooldownSeconds) : null;
        foreach (var job in plan)
        {
            var row = JobRows.From(job, ordinal++, now, priority, project.Id);
            row.NotBefore = row.Status == JobStatus.Queued ? notBefore : null;
            if (request.Push is { RequireApproval: true } && row.Status == JobStatus.Queued)
            {
                (row.Status, row.QueuedAt, row.Message) = (JobStatus.Manual, null, "waits for a project developer's approval: a pull request from a fork");
            }

            build.Jobs.Add(row);
        }

        await queue.EnqueueAsync(build, cancellationToken);
        var cancelGroups = plan
            .Where(j => j.SkipReason is null && j.Concurrency is { CancelInProgress: true })
            .Select(j => ConcurrencyGroups.Scope(project.Id, j.Concurrency!.Group))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        await SupersedeAsync(build, cancelGroups, cancellationToken);
        notifier.Notify(ChangeNotifier.Work);
        return new TriggerResult(build.Id, build.Number, null, null, []);
    }

    /// <summary>Cancels, with failure reason <c>superseded</c>, the project's older builds that
    /// <paramref name="build"/> makes pointless: those of the same branch still queued with nothing
    /// started ("only build the latest"), and those whose jobs hold one of
    /// <paramref name="cancelGroups"/> (<c>concurrency.cancel-in-progress</c>) queued or running.
    /// <para>Each is its own transaction after the insert's, not part of it: the insert holds the project
    /// row (build numbers) and a cancel touches jobs that a lease may hold, and a lease takes them in the
    /// other order (job, then the project's fair-share tags), so one transaction could deadlock on
    /// PostgreSQL. If the process dies between them, the new build stands and the older ones stay queued
    /// and run; nothing is lost, and the next trigger of the branch supersedes them. A branch build that
    /// started meanwhile is left alone: the cancel checks "nothing started" in its own transaction.</para></summary>
    private async Task SupersedeAsync(BuildEntity build, IReadOnlyList<string> cancelGroups, CancellationToken cancellationToken)
    {
        if (build.Branch is null && cancelGroups.Count == 0)
        {
            return;
        }

        var (branch, pullRequest) = (build.Branch, build.PullRequest);
        var stale = await db.Builds.AsNoTracking()
            .Where(b => b.ProjectId == build.ProjectId && b.Id < build.Id
                && (b.Status == BuildStatus.Queued || b.Status == BuildStatus.Running))
            .Select(b => new
            {
                b.Id,
                // A pull request's builds supersede only that pull request's.
                SameBranch = branch != null && b.Branch == branch && b.PullRequest == pullRequest && b.Status == BuildStatus.Queued,
                HoldsGroup = b.Jobs.Any(j => j.IsLatest && j.ConcurrencyGroup != null && cancelGroups.Contains(j.ConcurrencyGroup)
                    && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)),
            })
            .Where(b => b.SameBranch || b.HoldsGroup)
            .ToListAsync(cancellationToken);
        foreach (var old in stale)
        {
            await canceler.CancelAsync(old.Id, FailureReason.Superseded, build.TriggeredBy, onlyIfNothingStarted: !old.HoldsGroup, cancellationToken);
        }
    }

    /// <summary>Reads the files the pipeline includes from the commit, so the parser can stay free of I/O.</summary>
    private async Task<Func<string, string?>> ReadIncludesAsync(long projectId, string commit, string yaml, CancellationToken cancellationToken)
    {
        // A first parse only learns which files the pipeline includes (the parser asks for them).
        var requested = new List<string>();
        PipelineParser.Parse(yaml, PipelineFile, path =>
        {
            requested.Add(path);
            return null;
        });
        var files = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var path in requested.Distinct(StringComparer.Ordinal).Take(PipelineParser.MaxIncludes))
        {
            // An unreadable include is reported by the parser as missing; the reason goes with it.
            var file = await mirror.ReadFileAsync(projectId, commit, path, PipelineText.MaxBytes, cancellationToken);
            files[path] = file is not null && TryDecode(file, path, out var text, out _) ? text : null;
        }

        return path => files.GetValueOrDefault(path);
    }

    /// <summary>The file as text if it is UTF-8 within the size limit; otherwise the problem.</summary>
    private static bool TryDecode(RepoFile file, string name, out string text, out PipelineError? error)
    {
        if (file.Bytes is null)
        {
            text = "";
            error = PipelineText.TooLarge(name, file.Size);
            return false;
        }

        return PipelineText.TryDecode(file.Bytes, name, out text, out error);
    }

    private async Task<TriggerResult> CreateErrorBuildAsync(ProjectEntity project, TriggerRequest request, ResolvedRef? resolved, string message, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var build = NewBuild(project, request, resolved);
        build.Status = BuildStatus.Error;
        build.Error = errors.Count == 0 ? message : message + "\n" + string.Join('\n', errors);
        build.FinishedAt = build.CreatedAt;
        await queue.EnqueueAsync(build, cancellationToken);
        return new TriggerResult(build.Id, build.Number, TriggerFailure.PipelineInvalid, message, errors);
    }

    private async Task<TriggerResult> CreateSkippedBuildAsync(ProjectEntity project, TriggerRequest request, ResolvedRef? resolved, string reason, CancellationToken cancellationToken)
    {
        var build = NewBuild(project, request, resolved);
        build.Status = BuildStatus.Skipped;
        build.SkipReason = reason;
        build.FinishedAt = build.CreatedAt;
        await queue.EnqueueAsync(build, cancellationToken);
        return new TriggerResult(build.Id, build.Number, null, null, []) { Skipped = reason };
    }

    private BuildEntity NewBuild(ProjectEntity project, TriggerRequest request, ResolvedRef? resolved) => new()
    {
        ProjectId = project.Id,
        Event = request.Event,
        Ref = resolved?.Ref,
        Branch = resolved?.Branch,
        Tag = resolved?.Tag,
        Commit = resolved?.Commit,
        TriggeredBy = request.TriggeredBy,
        Forge = request.Push?.Forge,
        DeliveryId = request.Push?.DeliveryId,
        PullRequest = request.Push?.PullRequest,
        BaseBranch = request.Push?.BaseBranch,
        FromFork = request.Push?.FromFork ?? false,
        InputsJson = JsonSerializer.Serialize(request.Inputs),
        CreatedAt = time.UtcNow(),
    };
}
