namespace Kiln.Core.Pipelines;

/// <summary>The known keys of each mapping in <c>.kiln.yml</c>.</summary>
internal static class PipelineKeys
{
    public static readonly KeyTable<PipelineDraft> TopLevel = new(
        ("env", (r, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("jobs", (r, v, path, d) => d.Jobs = r.ReadJobs(v, path)),
        ("on", null),
        ("inputs", null),
        ("include", null));

    public static readonly KeyTable<JobDraft> Job = new(
        ("needs", (r, v, path, d) => d.Needs = r.ReadNeeds(v, path)),
        ("env", (r, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("timeout", (r, v, path, d) => d.Timeout = r.ReadTimeout(v, path)),
        ("steps", (r, v, path, d) => d.Steps = r.ReadSteps(v, path, d.Id)),
        ("name", null),
        ("runs-on", null),
        ("image", null),
        ("services", null),
        ("matrix", null),
        ("when", null),
        ("retry", null),
        ("allow-failure", null),
        ("manual", null),
        ("concurrency", null),
        ("artifacts", null),
        ("cache", null),
        ("working-directory", null),
        ("shell", null));

    public static readonly KeyTable<StepDraft> Step = new(
        ("run", (r, v, path, d) => d.Run = r.ReadText(v, path, "run")),
        ("name", (r, v, path, d) => d.Name = r.ReadText(v, path, "name")),
        ("env", (r, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("timeout", (r, v, path, d) => d.Timeout = r.ReadTimeout(v, path)),
        ("continue-on-error", null),
        ("working-directory", null),
        ("if", null),
        ("shell", null));
}
