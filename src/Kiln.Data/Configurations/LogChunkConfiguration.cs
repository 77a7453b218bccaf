using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class LogChunkConfiguration : IEntityTypeConfiguration<LogChunkEntity>
{
    public void Configure(EntityTypeBuilder<LogChunkEntity> b)
    {
        b.ToTable("log_chunks");
        b.HasKey(x => new { x.JobId, x.Sequence });
        b.HasIndex(x => new { x.JobId, x.Offset });
        b.HasOne<JobEntity>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
