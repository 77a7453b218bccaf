using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<JobEntity>
{
    /// <summary>The filter of the queue's partial indexes; a query must say exactly this (the status as a
    /// literal, not a parameter) for SQLite and PostgreSQL to use them.</summary>
    private static readonly string QueuedOnly = $"\"Status\" = {Queue.SqlText.Literal(JobStatus.Queued)}";

    public void Configure(EntityTypeBuilder<JobEntity> b)
    {
        b.ToTable("jobs");
        b.HasIndex(x => new { x.BuildId, x.Name, x.Attempt }).IsUnique();
        b.Property(x => x.FailureReason).HasMaxLength(32)
            .HasConversion(v => StatusNames.ToWire(v), s => StatusConversions.ToReason(s)!.Value);
        // The queue scans queued jobs oldest first; the reaper scans running jobs by lease expiry.
        b.HasIndex(x => new { x.Status, x.Id });
        // The next three hold queued jobs only (partial indexes): they stay as small as the queue, and a
        // job leaving the queue adds no entries to them (a PostgreSQL update that changes the status
        // writes a new entry into every index whose filter the new row passes). On PostgreSQL they lack
        // the leading status column (Kiln.Data.Postgres/PostgresModel); SQLite needs it to use them.
        // The lease walks each project's queued jobs in order: priority class, then oldest.
        b.HasIndex(x => new { x.Status, x.ProjectId, x.Priority, x.Id }).HasFilter(QueuedOnly);
        // The distinct runs-on values of queued jobs, read by a skip scan for label matching.
        b.HasIndex(x => new { x.Status, x.RunsOn }).HasFilter(QueuedOnly);
        // The next cooldown to end, asked whenever work changes (Server/Background/CooldownWaker).
        b.HasIndex(x => new { x.Status, x.NotBefore }).HasFilter(QueuedOnly);
        // "Is a running job holding this concurrency group?", asked for every candidate. Only jobs that have
        // a group: most have none, and on PostgreSQL their (null, status) entries were one long run of equal
        // keys that every status change wrote into.
        b.HasIndex(x => new { x.ConcurrencyGroup, x.Status }).HasFilter("\"ConcurrencyGroup\" IS NOT NULL");
        b.Property(x => x.ConcurrencyGroup).HasMaxLength(300);
        // A concurrency token: saving a tracked job fails if its status changed since it was read (a
        // lease claimed it meanwhile, say), instead of silently overwriting the newer status.
        b.Property(x => x.Status).HasMaxLength(20).IsConcurrencyToken()
            .HasConversion(v => StatusNames.ToWire(v), s => StatusConversions.ToJob(s));
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.LeaseToken).HasMaxLength(64);
        b.HasMany(x => x.Steps).WithOne().HasForeignKey(s => s.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
