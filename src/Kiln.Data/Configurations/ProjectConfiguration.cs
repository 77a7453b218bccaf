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
    }
}
