using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data;

/// <summary>The one database of a Kiln installation. Provider-neutral: SQLite and PostgreSQL
/// projects add the provider and its migrations.</summary>
public sealed class KilnDbContext(DbContextOptions<KilnDbContext> options) : DbContext(options)
{
    public DbSet<ProjectEntity> Projects => Set<ProjectEntity>();
    public DbSet<BuildEntity> Builds => Set<BuildEntity>();
    public DbSet<JobEntity> Jobs => Set<JobEntity>();
    public DbSet<StepEntity> Steps => Set<StepEntity>();
    public DbSet<LogChunkEntity> LogChunks => Set<LogChunkEntity>();
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();
    public DbSet<AgentEntity> Agents => Set<AgentEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KilnDbContext).Assembly);
}
