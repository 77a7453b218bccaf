using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class EventConfiguration : IEntityTypeConfiguration<EventEntity>
{
    public void Configure(EntityTypeBuilder<EventEntity> b)
    {
        // Read by id ranges only, and deleted oldest first by id: the primary key is the one index, so an
        // append costs one index entry. (SQLite: AUTOINCREMENT, so ids are never reused, not even after
        // retention deleted every event. PostgreSQL: the id is made from the transaction's id, Kiln.Data.Postgres.)
        b.ToTable("events");
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Project).HasMaxLength(200);
        b.Property(x => x.Job).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.FailureReason).HasMaxLength(32);
        b.Property(x => x.Actor).HasMaxLength(200);
    }
}
