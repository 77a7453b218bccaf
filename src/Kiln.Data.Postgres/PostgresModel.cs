using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
        // round trip find the job by its lease token (Queue/LeaseRules.LeasedKey). Only leased jobs: a job's
        // token is cleared when it ends. (SQLite finds the job by its id and has no need of this index,
        // which would cost it a page written with every lease and completion.)
        modelBuilder.Entity<JobEntity>().HasIndex(x => x.LeaseToken).HasFilter("\"LeaseToken\" IS NOT NULL");
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
