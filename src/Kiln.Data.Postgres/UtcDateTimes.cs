using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Kiln.Data.Postgres;

/// <summary>Npgsql writes only UTC DateTimes to <c>timestamp with time zone</c> and throws on any other
/// Kind. Kiln's DateTimes are UTC by contract, but one that lost its Kind on the way (built with
/// <c>new DateTime(…)</c>, or taken from an entity read through SQLite) would fail only on PostgreSQL.
/// This converter, on every DateTime property, takes an unspecified value as UTC and converts a
/// local one, so both databases store the same instants. The column type does not change.</summary>
internal sealed class UtcDateTimes(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
{
    private static readonly ValueConverter<DateTime, DateTime> Utc = new(v => ToUtc(v), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        base.Customize(modelBuilder, context);
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
