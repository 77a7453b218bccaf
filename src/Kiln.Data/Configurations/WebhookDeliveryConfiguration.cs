using Kiln.Core.Triggers;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Data.Configurations;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDeliveryEntity>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryEntity> b)
    {
        b.ToTable("webhook_deliveries");
        b.Property(x => x.Forge).HasConversion(v => v.ToWire(), v => Forges.Parse(v)).HasMaxLength(20);
        b.Property(x => x.DeliveryId).HasMaxLength(100);
        b.Property(x => x.EventName).HasMaxLength(100);
        b.Property(x => x.State).HasConversion(v => DeliveryStates.Wire.ToWire(v), v => DeliveryStates.Wire.Parse(v)).HasMaxLength(20);
        b.Property(x => x.Outcome).HasMaxLength(2000);
        b.Property(x => x.BuildNumbers).HasMaxLength(500);
        b.HasIndex(x => new { x.Forge, x.DeliveryId }).IsUnique();
        // The processor's scan: pending deliveries, oldest first; retention: by time.
        b.HasIndex(x => new { x.State, x.Id });
        b.HasIndex(x => x.ReceivedAt);
        b.HasOne<ProjectEntity>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
