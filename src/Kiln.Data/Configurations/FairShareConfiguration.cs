using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class FairShareConfiguration : IEntityTypeConfiguration<FairShareEntity>
{
    public void Configure(EntityTypeBuilder<FairShareEntity> b)
    {
        b.ToTable("fair_shares");
        b.HasKey(x => x.ProjectId);
        b.Property(x => x.ProjectId).ValueGeneratedNever();
        b.HasOne<ProjectEntity>().WithOne(p => p.FairShare).HasForeignKey<FairShareEntity>(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
