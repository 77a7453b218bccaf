using System.Globalization;
using System.Text.Json;
using Kiln.Contracts.AgentProtocol;
using Kiln.Data.Queue;
using Kiln.Server.Builds;
using Microsoft.Extensions.Options;

namespace Kiln.Server.AgentApi;

/// <summary>Turns a leased job into the self-contained <see cref="JobLease"/> an agent runs from,
/// with DESIGN.md's <c>KILN_*</c> variables. The agent adds the ones only it knows
/// (<c>KILN_WORKSPACE</c>, <c>KILN_ARTIFACTS_DIR</c>, <c>KILN_SERVER_URL</c>).</summary>
public sealed class LeaseBuilder(IOptions<KilnServerOptions> options)
{
    public JobLease Build(LeasedJob job)
    {
        var build = job.Build;
        var kiln = new Dictionary<string, string>
        {
            ["KILN"] = "true",
            ["CI"] = "true",
            ["KILN_PROJECT"] = build.ProjectName,
            ["KILN_BUILD_NUMBER"] = build.Number.ToString(CultureInfo.InvariantCulture),
            ["KILN_BUILD_ID"] = job.BuildId.ToString(CultureInfo.InvariantCulture),
            ["KILN_JOB"] = job.Name,
            ["KILN_JOB_ID"] = job.Id.ToString(CultureInfo.InvariantCulture),
            ["KILN_JOB_ATTEMPT"] = job.Attempt.ToString(CultureInfo.InvariantCulture),
            ["KILN_EVENT"] = build.Event,
            ["KILN_REF"] = build.Ref ?? "",
            ["KILN_BRANCH"] = build.Branch ?? "",
            ["KILN_TAG"] = build.Tag ?? "",
            ["KILN_PULL_REQUEST"] = build.PullRequest?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["KILN_BASE_BRANCH"] = build.BaseBranch ?? "",
            ["KILN_COMMIT"] = build.Commit ?? "",
            ["KILN_TRIGGERED_BY"] = build.TriggeredBy,
        };
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(build.InputsJson) ?? [])
        {
            kiln["KILN_INPUT_" + name.ToUpperInvariant().Replace('-', '_')] = value;
        }

        // Kiln's variables win over the pipeline's own env of the same name.
        var jobEnv = Overlay(JsonSerializer.Deserialize<Dictionary<string, string>>(job.EnvJson) ?? [], kiln);
        var steps = job.Steps
            .Select(s => new StepSpec(
                s.Index,
                s.Name,
                s.Run,
                Overlay(JsonSerializer.Deserialize<Dictionary<string, string>>(s.EnvJson) ?? [], kiln),
                s.TimeoutSeconds,
                s.Condition,
                s.ContinueOnError,
                s.WorkingDirectory,
                s.Shell))
            .ToList();
        return new JobLease(
            job.Id,
            job.LeaseToken,
            DateTime.SpecifyKind(job.LeaseExpiresAt, DateTimeKind.Utc),
            options.Value.LeaseSeconds,
            build.ProjectName,
            job.BuildId,
            build.Number,
            job.Name,
            build.RepoUrl is { } repo && build.Commit is { } commit ? new JobSource(repo, commit) : null,
            job.TimeoutSeconds,
            options.Value.LogCapBytes,
            jobEnv,
            steps,
            Requirements(job));
    }

    private static JobRequirements Requirements(LeasedJob job)
    {
        var spec = JsonSerializer.Deserialize<JobSpec>(job.SpecJson);
        return new JobRequirements(
            JsonSerializer.Deserialize<Dictionary<string, string>>(job.MatrixJson) ?? [],
            spec?.RunsOn ?? [],
            spec?.Image,
            spec?.Services.Select(s => new ServiceSpec(s.Name, s.Image, s.Env, s.Ports)).ToList() ?? [],
            spec?.Artifacts is { } a ? new ArtifactSpec(a.Paths, a.Expire is { } e ? (int)e.TotalSeconds : null) : null,
            spec?.Cache is { } c ? new CacheSpec(c.Key, c.Paths) : null);
    }

    private static Dictionary<string, string> Overlay(Dictionary<string, string> env, Dictionary<string, string> over)
    {
        foreach (var (k, v) in over)
        {
            env[k] = v;
        }

        return env;
    }
}
