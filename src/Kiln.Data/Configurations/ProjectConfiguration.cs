using Kiln.Core.Triggers;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<ProjectEntity>
{
    public void Configure(EntityTypeBuilder<ProjectEntity> b)
    {
        b.ToTable("projects");
        b.Property(p => p.Name).HasMaxLength(100);
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.DefaultBranch).HasMaxLength(255);
        b.Property(p => p.WebhookSecret).HasMaxLength(200);
        b.Property(p => p.ForkPullRequests).HasConversion(v => v.ToWire(), v => ForkPolicies.Parse(v)).HasMaxLength(30);
        b.Property(p => p.Forge).HasConversion(v => v.HasValue ? v.Value.ToWire() : null, v => v == null ? null : Forges.Parse(v)).HasMaxLength(20);
        b.Property(p => p.ForgeApiUrl).HasMaxLength(500);
        b.Property(p => p.StatusToken).HasMaxLength(500);
    }
}
