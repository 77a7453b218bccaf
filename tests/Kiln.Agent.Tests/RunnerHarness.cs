using Kiln.Contracts.AgentProtocol;
using Kiln.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Agent.Tests;

/// <summary>A fake server, a private work folder and a <see cref="JobRunner"/> with a real
/// <see cref="ShellStepExecutor"/> (short kill grace), as the agent's composition root wires them. The
/// runner's own timers (lease renewal, job timeout, log flush, retries) follow <see cref="Time"/>, a fake
/// clock when a test asks for one; the executor and the sweeper keep the system clock, since real
/// processes run on it.</summary>
internal sealed class RunnerHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private long _nextJobId = 100;

    private RunnerHarness(FakeAgentServer server, string workDir, TimeProvider time)
    {
        Server = server;
        WorkDir = workDir;
        Time = time;
        Directory.CreateDirectory(Path.Combine(workDir, "tmp"));
        var executor = new ShellStepExecutor(
            TimeProvider.System,
            NullLogger<ShellStepExecutor>.Instance,
            new ShellExecutorOptions { KillGracePeriod = TimeSpan.FromMilliseconds(300), TempDirectory = Path.Combine(workDir, "tmp") });
        Runner = new JobRunner(
            server.CreateClient(time: time),
            executor,
            new ProcessTreeSweeper(TimeProvider.System, NullLogger<ProcessTreeSweeper>.Instance),
            new AgentOptions { ServerUrl = server.Url, Token = FakeAgentServer.Token, Name = "test-agent", WorkDir = workDir },
            time,
            NullLogger<JobRunner>.Instance);
    }

    public FakeAgentServer Server { get; }

    public string WorkDir { get; }

    public JobRunner Runner { get; }

    public TimeProvider Time { get; }

    public static async Task<RunnerHarness> StartAsync(TimeProvider? time = null) =>
        new(await FakeAgentServer.StartAsync(), Path.Combine(Path.GetTempPath(), "kiln-agent-tests-" + Guid.NewGuid().ToString("N")), time ?? TimeProvider.System);

    /// <summary>A file in the work folder that a step may touch to say it is running, without waiting for a log flush.</summary>
    public string Marker(string name) => Path.Combine(WorkDir, name);

    /// <summary>Where the runner puts the workspace of a job.</summary>
    public string WorkspaceOf(JobLease lease) => Path.Combine(WorkDir, "workspaces", $"job-{lease.JobId}");

    public string ArtifactsOf(JobLease lease) => Path.Combine(WorkDir, "artifacts", $"job-{lease.JobId}");

    /// <summary>A task-only lease (no Source), with the KILN_* variables the server puts on every step.</summary>
    public JobLease Lease(IReadOnlyList<StepSpec> steps, int? timeoutSeconds = null, int leaseSeconds = 300)
    {
        var jobId = Interlocked.Increment(ref _nextJobId);
        return new JobLease(
            jobId,
            "lease-" + Guid.NewGuid().ToString("N"),
            DateTimeOffset.UnixEpoch.AddYears(100),
            leaseSeconds,
            "demo",
            9,
            3,
            "build",
            null,
            timeoutSeconds,
            10L * 1024 * 1024,
            KilnEnv(jobId),
            steps);
    }

    public static StepSpec Step(
        int index,
        string run,
        string cond = "success",
        bool continueOnError = false,
        string? workingDirectory = null,
        string? shell = null,
        int? timeoutSeconds = null) =>
        new(index, $"step-{index}", run, KilnEnv(7), timeoutSeconds, cond, continueOnError, workingDirectory, shell);

    /// <summary>Runs the job to its end and returns what it completed with.</summary>
    public async Task<CompleteJobRequest> RunAsync(JobLease lease)
    {
        await Runner.RunAsync(lease, CancellationToken.None).WaitAsync(Patience);
        var (jobId, request) = await Server.Completed.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(lease.JobId, jobId);
        Assert.Equal(lease.LeaseToken, request.LeaseToken);
        return request;
    }

    /// <summary>The step reports of the job as "index status[ exitCode]", in arrival order.</summary>
    public List<string> StepTrail(JobLease lease)
    {
        Assert.All(Server.Steps, s => Assert.Equal(lease.LeaseToken, s.LeaseToken));
        return Server.Steps.Where(s => s.JobId == lease.JobId).Select(s => s.ExitCode is { } code ? $"{s.Index} {s.Status} {code}" : $"{s.Index} {s.Status}").ToList();
    }

    public List<string> LogLines(JobLease lease) => [.. Server.LogText(lease.JobId).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (Directory.Exists(WorkDir))
        {
            Directory.Delete(WorkDir, recursive: true);
        }
    }

    private static Dictionary<string, string> KilnEnv(long jobId) => new()
    {
        ["KILN"] = "true",
        ["KILN_PROJECT"] = "demo",
        ["KILN_JOB"] = "build",
        ["KILN_JOB_ID"] = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
