using Kiln.Data;
using Kiln.Data.Postgres;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kiln.Data.Design;

/// <summary>What <c>dotnet ef</c> builds the model with. scripts/regenerate-migrations.sh passes
/// <c>-- --provider Sqlite|Postgres</c>; no database is contacted to add a migration.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<KilnDbContext>
{
    public KilnDbContext CreateDbContext(string[] args)
    {
        var provider = ProviderFrom(args);
        var options = new DbContextOptionsBuilder<KilnDbContext>();
        switch (provider)
        {
            case "sqlite":
                options.UseKilnSqlite("Data Source=design.db");
                break;
            case "postgres":
                options.UseKilnPostgres("Host=localhost;Database=kiln_design;Username=kiln");
                break;
            default:
                throw new ArgumentException($"Unknown provider '{provider}': use --provider Sqlite or --provider Postgres.");
        }

        return new KilnDbContext(options.Options);
    }

    private static string ProviderFrom(string[] args)
    {
        var at = Array.FindIndex(args, a => a.Equals("--provider", StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at + 1 >= args.Length)
        {
            throw new ArgumentException("Pass the provider: dotnet ef … -- --provider Sqlite|Postgres.");
        }

        return args[at + 1].ToLowerInvariant();
    }
}
