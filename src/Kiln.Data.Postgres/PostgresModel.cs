using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Kiln.Data.Postgres;

/// <summary>What Kiln's model has on PostgreSQL beyond the shared configuration.</summary>
internal sealed class PostgresModel(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
{
    private static readonly ValueConverter<DateTime, DateTime> Utc = new(v => ToUtc(v), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        base.Customize(modelBuilder, context);
        TakeDateTimesAsUtc(modelBuilder);
        // The lease's statement picks and claims a job in one go, so the statements after it in the same
        // round trip find the job by its lease token (Queue/LeaseRules.Leased). Only leased jobs: a job's
        // token is cleared when it ends. (SQLite finds the job by its id and has no need of this index,
        // which would cost it a page written with every lease and completion.)
        modelBuilder.Entity<JobEntity>().HasIndex(x => x.LeaseToken).HasFilter("\"LeaseToken\" IS NOT NULL");
        DropStatusFromQueuedOnlyIndexes(modelBuilder.Entity<JobEntity>());
        // An event's id is made from its transaction's id (Kiln.Data/Events/EventRows), not drawn from a sequence.
        modelBuilder.Entity<EventEntity>().Property(x => x.Id).ValueGeneratedNever();
    }

    /// <summary>The queue's partial indexes on jobs (queued jobs only, <c>JobConfiguration</c>) begin with the
    /// status column, which SQLite needs to use them. PostgreSQL does not: it drops a query's test that an
    /// index's filter implies from the index's conditions, so with the status first, a range on the next
    /// column became a test of every entry. The lease's skip scan of the projects with queued jobs read
    /// the whole index at its last step, and a lease cost more the longer the queue
    /// (docs/queue-performance.md). Without it, each step is one descent of the index.</summary>
    private static void DropStatusFromQueuedOnlyIndexes(EntityTypeBuilder<JobEntity> jobs)
    {
        var statusFirst = jobs.Metadata.GetIndexes()
            .Where(i => i.GetFilter() is not null && i.Properties.Count > 1 && i.Properties[0].Name == nameof(JobEntity.Status))
            .ToList();
        foreach (var index in statusFirst)
        {
            var filter = index.GetFilter();
            var rest = index.Properties.Skip(1).Select(p => p.Name).ToArray();
            jobs.Metadata.RemoveIndex(index);
            jobs.HasIndex(rest).HasFilter(filter);
        }
    }

    /// <summary>Npgsql writes only UTC DateTimes to <c>timestamp with time zone</c> and throws on any other
    /// Kind. Kiln's DateTimes are UTC by contract, but one that lost its Kind on the way (built with
    /// <c>new DateTime(…)</c>, or taken from an entity read through SQLite) would fail only on PostgreSQL.
    /// This converter, on every DateTime property, takes an unspecified value as UTC and converts a
    /// local one, so both databases store the same instants. The column type does not change.</summary>
    private static void TakeDateTimesAsUtc(ModelBuilder modelBuilder)
    {
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (property.ClrType == typeof(DateTime) || property.ClrType == typeof(DateTime?))
            {
                property.SetValueConverter(Utc);
            }
        }
    }

    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
