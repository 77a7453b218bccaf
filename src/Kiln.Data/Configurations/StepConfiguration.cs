using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class StepConfiguration : IEntityTypeConfiguration<StepEntity>
{
    public void Configure(EntityTypeBuilder<StepEntity> b)
    {
        b.ToTable("steps");
        b.HasIndex(x => new { x.JobId, x.Index }).IsUnique();
        b.Property(x => x.Status).HasMaxLength(20)
            .HasConversion(v => StatusNames.ToWire(v), s => StatusConversions.ToStep(s));
    }
}
