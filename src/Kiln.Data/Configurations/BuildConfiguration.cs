using Kiln.Core.Triggers;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class BuildConfiguration : IEntityTypeConfiguration<BuildEntity>
{
    public void Configure(EntityTypeBuilder<BuildEntity> b)
    {
        b.ToTable("builds");
        b.HasOne(x => x.Project).WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.ProjectId, x.Number }).IsUnique();
        // A project's running builds, counted against its maxRunningBuilds.
        b.HasIndex(x => new { x.ProjectId, x.Status });
        // A webhook delivery finds the builds it already made (a redelivery, or processing cut off by a crash).
        b.HasIndex(x => new { x.ProjectId, x.DeliveryId });
        b.Property(x => x.Status).HasMaxLength(20)
            .HasConversion(v => StatusNames.ToWire(v), s => StatusConversions.ToBuild(s));
        b.Property(x => x.Event).HasConversion(v => v.ToWire(), v => TriggerEvents.Parse(v)).HasMaxLength(20);
        b.Property(x => x.Forge).HasConversion(v => v.HasValue ? v.Value.ToWire() : null, v => v == null ? null : Forges.Parse(v)).HasMaxLength(20);
        b.Property(x => x.DeliveryId).HasMaxLength(100);
        b.Property(x => x.BaseBranch).HasMaxLength(255);
        b.HasMany(x => x.Jobs).WithOne(j => j.Build).HasForeignKey(j => j.BuildId).OnDelete(DeleteBehavior.Cascade);
    }
}
