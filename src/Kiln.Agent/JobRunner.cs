using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Kiln.Execution;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>Runs one leased job to its end: workspace, checkout, steps, final report, process sweep.
/// One linked cancellation source stops the running step when a person cancels (watch long-poll),
/// the job times out, the lease is lost (409) or the agent shuts down. The final report goes out on
/// a fresh token, so it is sent even during shutdown. If the agent dies mid-job, the lease expires
/// and the server marks the job lost; nothing here needs to survive.</summary>
public sealed class JobRunner(ServerClient server, IStepExecutor executor, ProcessTreeSweeper sweeper, AgentOptions options, TimeProvider time, ILogger<JobRunner> logger)
{
    private static readonly TimeSpan FinalReportTimeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(JobLease lease, CancellationToken agentStopping)
    {
        var workspace = Path.Combine(options.WorkDir, "workspaces", $"job-{lease.JobId}");
        var artifacts = Path.Combine(options.WorkDir, "artifacts", $"job-{lease.JobId}");
        var cookie = $"kiln-job-{lease.JobId}-{lease.LeaseToken[..8]}";
        using var canceledByUser = new CancellationTokenSource();
        using var leaseLost = new CancellationTokenSource();
        using var jobTimeout = new CancellationTokenSource(lease.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : Timeout.InfiniteTimeSpan, time);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(agentStopping, canceledByUser.Token, leaseLost.Token, jobTimeout.Token);
        using var background = new CancellationTokenSource();
        logger.LogInformation("Job {JobId} ({Project}#{Build} {Job}) leased", lease.JobId, lease.Project, lease.BuildNumber, lease.JobName);
        var heartbeat = KeepLeaseAsync(lease, canceledByUser, leaseLost, background.Token);
        var watch = WatchForCancelAsync(lease, canceledByUser, leaseLost, background.Token);

        // While the server is unreachable, log chunks that do not fit in memory wait in WORK/spool/job-ID.
        var spool = Path.Combine(options.WorkDir, "spool", $"job-{lease.JobId}");
        var shipper = new LogShipper(server, time, logger, lease.JobId, lease.LeaseToken, () => leaseLost.Cancel(), leaseLost.Token, spool);
        var log = new JobLogLimiter(shipper, lease.LogCapBytes);
        var reporter = new StepReporter(server, lease.JobId, () => leaseLost.Cancel(), leaseLost.Token);
        string status;
        string? message = null;
        try
        {
            Directory.CreateDirectory(workspace);
            Directory.CreateDirectory(artifacts);
            var env = new Dictionary<string, string>
            {
                ["KILN_WORKSPACE"] = workspace,
                ["KILN_ARTIFACTS_DIR"] = artifacts,
                ["KILN_SERVER_URL"] = server.BaseAddress.ToString().TrimEnd('/'),
            };
            var outcome = StepOutcome.Succeeded;
            foreach (var unsupported in Unsupported(lease.Requirements))
            {
                await WriteKilnLineAsync(log, $"warning: {unsupported} ignored: this agent runs steps in a shell on its host", stop.Token);
            }

            if (lease.Source is { } source)
            {
                outcome = await CheckoutAsync(source, workspace, cookie, log, stop.Token);
                if (outcome != StepOutcome.Succeeded && !stop.IsCancellationRequested)
                {
                    outcome = StepOutcome.Error;
                    message = $"could not check out {source.Commit} from {source.RepoUrl}";
                }
            }

            var job = new RunningJob(lease, env, workspace, cookie, log, reporter, () => jobTimeout.IsCancellationRequested && !canceledByUser.IsCancellationRequested);
            foreach (var step in lease.Steps)
            {
                if (outcome == StepOutcome.Error || !ShouldRun(step.If, outcome, stop.IsCancellationRequested))
                {
                    Report(reporter, lease, step.Index, WireStatus.Skipped, null);
                    continue;
                }

                var result = await RunStepAsync(job, step, stop.Token, leaseLost.Token);
                // A failure the step may have (continue-on-error) leaves the job's outcome as it was.
                if (result != StepOutcome.Succeeded && !(result == StepOutcome.Failed && step.ContinueOnError) && outcome == StepOutcome.Succeeded)
                {
                    outcome = result;
                }
            }

            status = FinalStatus(outcome, agentStopping.IsCancellationRequested, canceledByUser.IsCancellationRequested, jobTimeout.IsCancellationRequested);
            if (status == WireStatus.Canceled && agentStopping.IsCancellationRequested && !canceledByUser.IsCancellationRequested)
            {
                message = "the agent shut down";
            }

            await WriteKilnLineAsync(log, $"job {status}", CancellationToken.None);
            // The completion goes out only once every step report and log chunk is stored.
            await Task.WhenAll(reporter.CompleteAsync(leaseLost.Token), CompleteLogAsync(log, shipper, leaseLost.Token));
        }
        catch (Exception e) when (e is LeaseLostException || leaseLost.IsCancellationRequested)
        {
            logger.LogWarning("Job {JobId}: lease lost; stopping without further reports", lease.JobId);
            await CleanUpAsync(cookie, workspace, artifacts);
            return;
        }
        catch (OperationCanceledException) when (agentStopping.IsCancellationRequested)
        {
            status = WireStatus.Canceled;
            message = "the agent shut down";
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {JobId} failed inside the agent", lease.JobId);
            status = WireStatus.Error;
            message = "agent error: " + e.Message;
        }
        finally
        {
            await background.CancelAsync();
            await Task.WhenAll(Quietly(heartbeat), Quietly(watch));
            await reporter.DisposeAsync();
            await shipper.DisposeAsync();
        }

        try
        {
            using var final = new CancellationTokenSource(FinalReportTimeout, time);
            await server.CompleteAsync(lease.JobId, new CompleteJobRequest(lease.LeaseToken, status, message), final.Token);
            logger.LogInformation("Job {JobId} finished: {Status}", lease.JobId, status);
        }
        catch (Exception e)
        {
            logger.LogWarning("Job {JobId}: final report failed ({Error}); the server will see the lease expire", lease.JobId, e.Message);
        }
        finally
        {
            await CleanUpAsync(cookie, workspace, artifacts);
        }
    }

    private async Task<StepOutcome> RunStepAsync(RunningJob job, StepSpec step, CancellationToken stop, CancellationToken reportToken)
    {
        var (lease, extraEnv, workspace, cookie, log, reporter, jobTimedOut) = job;
        Report(reporter, lease, step.Index, WireStatus.Running, null);
        await WriteKilnLineAsync(log, $"step {step.Index + 1}/{lease.Steps.Count}: {step.Name}", reportToken);
        var env = new Dictionary<string, string>(step.Environment);
        foreach (var (k, v) in extraEnv)
        {
            env[k] = v;
        }

        var timeout = step.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        var directory = Path.GetFullPath(Path.Combine(workspace, step.WorkingDirectory ?? "."));
        var result = directory == workspace || directory.StartsWith(workspace + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? await executor.RunAsync(new StepRequest(step.Run, directory, env, timeout, cookie, step.Shell), log, stop)
            : new StepResult(StepOutcome.Error, null, $"working-directory '{step.WorkingDirectory}' is outside the workspace");
        if (result.Outcome == StepOutcome.Canceled && jobTimedOut())
        {
            result = result with { Outcome = StepOutcome.TimedOut };
        }

        var status = result.Outcome.ForStep();
        if (result.Outcome == StepOutcome.Error)
        {
            await WriteKilnLineAsync(log, $"step could not run: {result.Message}", reportToken);
        }
        else if (result.Outcome == StepOutcome.Failed)
        {
            await WriteKilnLineAsync(log, $"step failed with exit code {result.ExitCode}", reportToken);
        }

        Report(reporter, lease, step.Index, status, result.ExitCode);
        // A step that could not start (a missing working directory, say) is the pipeline's failure, not Kiln's.
        return result.Outcome == StepOutcome.Error ? StepOutcome.Failed : result.Outcome;
    }

    private async Task<StepOutcome> CheckoutAsync(JobSource source, string workspace, string cookie, ILogSink log, CancellationToken stop)
    {
        await WriteKilnLineAsync(log, $"checking out {source.Commit} from {source.RepoUrl}", stop);
        const string script = """
            git init -q .
            git fetch -q --no-tags --depth 1 -- "$KILN_CHECKOUT_REPO" "$KILN_CHECKOUT_COMMIT"
            git -c advice.detachedHead=false checkout -q --detach FETCH_HEAD
            """;
        var env = new Dictionary<string, string>
        {
            ["KILN_CHECKOUT_REPO"] = source.RepoUrl,
            ["KILN_CHECKOUT_COMMIT"] = source.Commit,
            ["GIT_TERMINAL_PROMPT"] = "0",
        };
        var result = await executor.RunAsync(new StepRequest(script, workspace, env, TimeSpan.FromMinutes(30), cookie), log, stop);
        return result.Outcome;
    }

    private async Task KeepLeaseAsync(JobLease lease, CancellationTokenSource canceledByUser, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        // Renew at a third of the lease, so two missed beats still leave time.
        var period = TimeSpan.FromSeconds(Math.Max(1, lease.LeaseSeconds / 3.0));
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                var beat = await server.HeartbeatAsync(lease.JobId, lease.LeaseToken, stop);
                if (beat.CancelRequested)
                {
                    await canceledByUser.CancelAsync();
                }
            }
            catch (LeaseLostException)
            {
                await leaseLost.CancelAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Job {JobId}: heartbeat failed ({Error}); retrying", lease.JobId, e.Message);
            }
        }
    }

    private async Task WatchForCancelAsync(JobLease lease, CancellationTokenSource canceledByUser, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if ((await server.WatchAsync(lease.JobId, lease.LeaseToken, 25, stop)).CancelRequested)
                {
                    await canceledByUser.CancelAsync();
                    return;
                }
            }
            catch (LeaseLostException)
            {
                await leaseLost.CancelAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug("Job {JobId}: cancel watch failed ({Error}); retrying", lease.JobId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stop);
            }
        }
    }

    /// <summary>Queues a step report stamped now; <see cref="StepReporter"/> sends it in the background, in order.</summary>
    private void Report(StepReporter reporter, JobLease lease, int index, string status, int? exitCode) =>
        reporter.Report(index, new StepReport(lease.LeaseToken, status, exitCode, time.GetUtcNow()));

    private static async Task CompleteLogAsync(JobLogLimiter log, LogShipper shipper, CancellationToken token)
    {
        await log.CompleteAsync(token);
        await shipper.CompleteAsync(token);
    }

    private ValueTask WriteKilnLineAsync(ILogSink log, string text, CancellationToken token) =>
        log.WriteAsync(new LogLine(time.GetUtcNow(), "[kiln] " + text), token);

    /// <summary>What every step of a running job shares. <c>JobTimedOut</c> tells whether a stop came from
    /// the job's own timeout, so the step it cut short is <c>timed_out</c> rather than <c>canceled</c>.</summary>
    private sealed record RunningJob(JobLease Lease, Dictionary<string, string> Env, string Workspace, string Cookie, ILogSink Log, StepReporter Reporter, Func<bool> JobTimedOut);

    private static IEnumerable<string> Unsupported(JobRequirements? requirements)
    {
        if (requirements?.Image is { } image)
        {
            yield return $"image '{image}'";
        }

        foreach (var service in requirements?.Services ?? [])
        {
            yield return $"service '{service.Name}' ({service.Image})";
        }
    }

    /// <summary>GitHub Actions' step conditions: <c>success</c> runs while nothing failed, <c>failure</c> only
    /// after a failure, <c>always</c> either way. After a cancel nothing more runs.</summary>
    private static bool ShouldRun(string condition, StepOutcome jobSoFar, bool stopped) => !stopped && condition switch
    {
        "always" => true,
        "failure" => jobSoFar != StepOutcome.Succeeded,
        _ => jobSoFar == StepOutcome.Succeeded,
    };

    /// <summary>A job stopped by its own timeout (not by a person or a shutdown) is <c>timed_out</c>, not <c>canceled</c>.</summary>
    private static string FinalStatus(StepOutcome outcome, bool agentStopping, bool canceledByUser, bool jobTimedOut) =>
        (outcome == StepOutcome.Canceled && jobTimedOut && !canceledByUser && !agentStopping ? StepOutcome.TimedOut : outcome).ForJob();

    private async Task CleanUpAsync(string cookie, string workspace, string artifacts)
    {
        // Every process the job started dies with it, even ones that left its process group.
        var killed = await sweeper.KillJobProcessesAsync(cookie, CancellationToken.None);
        if (killed > 0)
        {
            logger.LogInformation("Killed {Count} leftover process(es) of {Cookie}", killed, cookie);
        }

        foreach (var dir in new[] { workspace, artifacts })
        {
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not delete {Dir}: {Error}", dir, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                logger.LogWarning("Could not delete {Dir}: {Error}", dir, e.Message);
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Background helpers end with the job; their errors were logged where they happened.
        }
    }
}
