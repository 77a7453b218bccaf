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
        b.Property(x => x.Status).HasMaxLength(20)
            .HasConversion(v => StatusNames.ToWire(v), s => StatusConversions.ToJob(s));
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.LeaseToken).HasMaxLength(64);
        b.HasMany(x => x.Steps).WithOne().HasForeignKey(s => s.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
