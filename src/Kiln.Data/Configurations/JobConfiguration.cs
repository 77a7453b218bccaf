using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<JobEntity>
{
    public void Configure(EntityTypeBuilder<JobEntity> b)
    {
        b.ToTable("jobs");
        b.HasIndex(x => new { x.BuildId, x.Name, x.Attempt }).IsUnique();
        b.Property(x => x.FailureReason).HasMaxLength(32);
        // The queue scans queued jobs oldest first; the reaper scans running jobs by lease expiry.
        b.HasIndex(x => new { x.Status, x.Id });
        // The lease walks each project's queued jobs in order: priority class, then oldest.
        b.HasIndex(x => new { x.Status, x.ProjectId, x.Priority, x.Id });
        // The distinct runs-on values of queued jobs, read by a skip scan for label matching.
        b.HasIndex(x => new { x.Status, x.RunsOn });
        // The next cooldown to end, asked whenever work changes (Server/Background/CooldownWaker).
        b.HasIndex(x => new { x.Status, x.NotBefore });
        // "Is a running job holding this concurrency group?", asked for every candidate.
        b.HasIndex(x => new { x.ConcurrencyGroup, x.Status });
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
