using Kiln.Data;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kiln.Data.Design;

public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<KilnDbContext>
{
    public KilnDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<KilnDbContext>();
        options.UseKilnSqlite("Data Source=design.db");
        return new KilnDbContext(options.Options);
    }
}
