using System.Data.Common;
using Kiln.Core.Builds;
using Kiln.Data.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kiln.Data.Tests;

/// <summary>A log append checks the lease with a read, then writes. On PostgreSQL nothing holds the job's
/// row between the two, so the reaper can end the job in between: the write itself must be fenced, so that
/// no chunk lands after the job ended and the append reports the lost lease.</summary>
public sealed class LogAppendFenceOnPostgres : IAsyncLifetime, IOnPostgres
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    private TestDatabase db = null!;
    private long jobId;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(this);
        jobId = (await db.SeedBuildAsync("app", ("a", JobStatus.Running, [])))["a"];
        await using var ctx = db.NewContext();
        await ctx.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseToken, Token));
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [DatabaseFact]
    public async Task A_reap_between_the_lease_check_and_the_write_stores_no_chunk_and_reports_the_lost_lease()
    {
        Assert.Equal(LogAppendResult.Appended, await AppendAsync(0, "before\n"));
        // The reap runs in its own transaction, committed, after the append's read and before its write.
        var reap = new BeforeFencedWrite(ct => db.NewQueue().CompleteAsync(jobId, Token, JobStatus.Lost, "agent lost", ct));

        var result = await AppendAsync(1, "after the reap\n", reap);

        Assert.True(reap.Ran);
        Assert.NotNull(reap.Completion);
        Assert.Equal(LogAppendResult.StaleLease, result);
        await using var check = db.NewContext();
        Assert.Equal(["before\n"], await check.LogChunks.Where(c => c.JobId == jobId).OrderBy(c => c.Sequence).Select(c => c.Text).ToListAsync());
        var job = await check.Jobs.SingleAsync(j => j.Id == jobId);
        Assert.Equal((JobStatus.Lost, 7L, 1L), (job.Status, job.LogBytes, job.NextLogSequence));
    }

    [DatabaseFact]
    public async Task Without_a_reap_the_same_append_stores_its_chunk()
    {
        var nothing = new BeforeFencedWrite(_ => Task.FromResult<Queue.JobCompletion?>(null));

        Assert.Equal(LogAppendResult.Appended, await AppendAsync(0, "x\n", nothing));

        Assert.True(nothing.Ran);
        await using var check = db.NewContext();
        Assert.Equal(1, await check.LogChunks.CountAsync(c => c.JobId == jobId));
    }

    private async Task<LogAppendResult> AppendAsync(long sequence, string text, params IInterceptor[] interceptors)
    {
        await using var ctx = db.NewContext(interceptors);
        return await new EfLogStore(ctx).AppendAsync(jobId, Token, sequence, text, 1, "0:0", default);
    }

    /// <summary>Runs <paramref name="between"/> once, just before the append's fenced update of the job row.</summary>
    private sealed class BeforeFencedWrite(Func<CancellationToken, Task<Queue.JobCompletion?>> between) : DbCommandInterceptor
    {
        public bool Ran { get; private set; }

        public Queue.JobCompletion? Completion { get; private set; }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (!Ran && command.CommandText.Contains("UPDATE", StringComparison.Ordinal) && command.CommandText.Contains("\"LogBytes\"", StringComparison.Ordinal))
            {
                Ran = true;
                Completion = await between(cancellationToken);
            }

            return result;
        }
    }
}
