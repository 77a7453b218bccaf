using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data;

/// <summary>The one database of a Kiln installation. Provider-neutral: SQLite and PostgreSQL
/// projects add the provider and its migrations.</summary>
public sealed class KilnDbContext : DbContext
{
    public KilnDbContext(DbContextOptions<KilnDbContext> options)
        : base(options)
    {
        // Kiln's transactions commit or roll back whole (a conflict retries the whole transaction), so
        // the savepoint EF would set around each SaveChanges in them is two round trips for nothing.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<ProjectEntity> Projects => Set<ProjectEntity>();
    public DbSet<FairShareEntity> FairShares => Set<FairShareEntity>();
    public DbSet<BuildEntity> Builds => Set<BuildEntity>();
    public DbSet<JobEntity> Jobs => Set<JobEntity>();
    public DbSet<StepEntity> Steps => Set<StepEntity>();
    public DbSet<LogChunkEntity> LogChunks => Set<LogChunkEntity>();
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();
    public DbSet<AgentEntity> Agents => Set<AgentEntity>();
    public DbSet<EventEntity> Events => Set<EventEntity>();
    public DbSet<WebhookDeliveryEntity> WebhookDeliveries => Set<WebhookDeliveryEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KilnDbContext).Assembly);
}
