namespace Kiln.Core.Pipelines;

/// <summary>The known keys of each mapping in <c>.kiln.yml</c>.</summary>
internal static class PipelineKeys
{
    public static readonly KeyTable<PipelineDraft> TopLevel = new(
        ("on", (r, k, v, path, d) => d.On = r.ReadOn(v, path)),
        ("inputs", (r, k, v, path, d) => d.Inputs = r.ReadInputs(v, path)),
        ("env", (r, k, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("include", (r, k, v, path, d) => d.Include = (k, v)),
        ("templates", (r, k, v, path, d) => d.Templates = v),
        ("jobs", (r, k, v, path, d) => d.JobsNode = v));

    public static readonly KeyTable<JobDraft> Job = new(
        ("name", (r, k, v, path, d) => d.DisplayName = r.ReadText(v, path, "name")),
        ("extends", null),
        ("needs", (r, k, v, path, d) => d.Needs = r.ReadNeeds(v, path)),
        ("runs-on", (r, k, v, path, d) => d.RunsOn = r.ReadTextList(v, path, "runs-on", allowEmpty: true)),
        ("image", (r, k, v, path, d) => d.Image = r.ReadText(v, path, "image")),
        ("services", (r, k, v, path, d) => d.Services = r.ReadServices(v, path)),
        ("env", (r, k, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("matrix", (r, k, v, path, d) => d.Matrix = r.ReadMatrix(k, v, path, d.Owner)),
        ("when", (r, k, v, path, d) => d.When = r.ReadWhen(v, path)),
        ("timeout", (r, k, v, path, d) => d.Timeout = r.ReadTimeout(v, path)),
        ("retry", (r, k, v, path, d) => d.Retry = r.ReadRetry(v, path)),
        ("allow-failure", (r, k, v, path, d) => d.AllowFailure = r.ReadBool(v, path, "allow-failure") ?? false),
        ("manual", (r, k, v, path, d) => d.Manual = r.ReadBool(v, path, "manual") ?? false),
        ("concurrency", (r, k, v, path, d) => d.Concurrency = r.ReadConcurrency(v, path)),
        ("artifacts", (r, k, v, path, d) => d.Artifacts = r.ReadArtifacts(v, path)),
        ("cache", (r, k, v, path, d) => d.Cache = r.ReadCache(v, path)),
        ("working-directory", (r, k, v, path, d) => d.WorkingDirectory = r.ReadRelativePath(v, path, "working-directory")),
        ("shell", (r, k, v, path, d) => d.Shell = r.ReadShell(v, path)),
        ("steps", (r, k, v, path, d) => d.Steps = r.ReadSteps(v, path, d.Owner)));

    public static readonly KeyTable<StepDraft> Step = new(
        ("name", (r, k, v, path, d) => d.Name = r.ReadText(v, path, "name")),
        ("run", (r, k, v, path, d) => d.Run = r.ReadCommand(v, path)),
        ("env", (r, k, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("timeout", (r, k, v, path, d) => d.Timeout = r.ReadTimeout(v, path)),
        ("continue-on-error", (r, k, v, path, d) => d.ContinueOnError = r.ReadBool(v, path, "continue-on-error") ?? false),
        ("working-directory", (r, k, v, path, d) => d.WorkingDirectory = r.ReadRelativePath(v, path, "working-directory")),
        ("if", (r, k, v, path, d) => d.If = r.ReadCondition(v, path)),
        ("shell", (r, k, v, path, d) => d.Shell = r.ReadShell(v, path)));

    // The tables a later one uses come first: static fields initialize in order.
    public static readonly KeyTable<List<string>> PushFilter = new(
        ("branches", (r, k, v, path, d) => d.AddRange(r.ReadTextList(v, path, "branches"))));

    public static readonly KeyTable<List<string>> TagFilter = new(
        ("tags", (r, k, v, path, d) => d.AddRange(r.ReadTextList(v, path, "tags"))));

    public static readonly KeyTable<List<string>> NoKeys = new();

    public static readonly KeyTable<TriggerDraft> Triggers = new(
        ("push", (r, k, v, path, d) => d.Push = r.ReadTriggerFilter(v, path, PushFilter)),
        ("pull_request", (r, k, v, path, d) => d.PullRequest = r.ReadTriggerFilter(v, path, PushFilter)),
        ("tag", (r, k, v, path, d) => d.Tag = r.ReadTriggerFilter(v, path, TagFilter)),
        ("schedule", (r, k, v, path, d) => d.Schedules = r.ReadSchedules(v, path)),
        ("manual", (r, k, v, path, d) => d.Manual = r.ReadTriggerSwitch(v, path, "manual")),
        ("api", (r, k, v, path, d) => d.Api = r.ReadTriggerSwitch(v, path, "api")));

    public static readonly KeyTable<InputDraft> Input = new(
        ("description", (r, k, v, path, d) => d.Description = r.ReadText(v, path, "description")),
        ("default", (r, k, v, path, d) => (d.Default, d.DefaultAt) = (r.ReadValue(v, path, "default"), v.Location)),
        ("required", (r, k, v, path, d) => d.Required = r.ReadBool(v, path, "required") ?? false),
        ("options", (r, k, v, path, d) => d.Options = r.ReadTextList(v, path, "options", allowEmptyItems: true)));

    public static readonly KeyTable<ServiceDraft> Service = new(
        ("image", (r, k, v, path, d) => d.Image = r.ReadText(v, path, "image")),
        ("env", (r, k, v, path, d) => d.Env = r.ReadEnv(v, path)),
        ("ports", (r, k, v, path, d) => d.Ports = r.ReadPorts(v, path)));

    public static readonly KeyTable<RetryDraft> Retry = new(
        ("max", (r, k, v, path, d) => d.Max = r.ReadRetryMax(v, path)),
        ("on", (r, k, v, path, d) => d.On = r.ReadRetryOn(v, path)));

    public static readonly KeyTable<ConcurrencyDraft> Concurrency = new(
        ("group", (r, k, v, path, d) => d.Group = r.ReadText(v, path, "group")),
        ("cancel-in-progress", (r, k, v, path, d) => d.CancelInProgress = r.ReadBool(v, path, "cancel-in-progress") ?? false));

    public static readonly KeyTable<ArtifactsDraft> Artifacts = new(
        ("paths", (r, k, v, path, d) => d.Paths = r.ReadPathList(v, path, "paths")),
        ("expire", (r, k, v, path, d) => d.Expire = r.ReadDuration(v, path, "expire")));

    public static readonly KeyTable<CacheDraft> Cache = new(
        ("key", (r, k, v, path, d) => d.Key = r.ReadText(v, path, "key")),
        ("paths", (r, k, v, path, d) => d.Paths = r.ReadPathList(v, path, "paths")));

    public static readonly KeyTable<WhenDraft> When = new(
        ("branches", (r, k, v, path, d) => d.Branches = r.ReadTextList(v, path, "branches")),
        ("tags", (r, k, v, path, d) => d.Tags = r.ReadTextList(v, path, "tags")),
        ("events", (r, k, v, path, d) => d.Events = r.ReadEvents(v, path)),
        ("changes", (r, k, v, path, d) => d.Changes = r.ReadTextList(v, path, "changes")));
}
