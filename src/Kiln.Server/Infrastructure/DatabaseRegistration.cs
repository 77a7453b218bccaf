using Kiln.Data;
using Kiln.Data.Postgres;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Kiln.Server.Infrastructure;

/// <summary>The database the settings choose (<see cref="KilnServerOptions.Db"/>), and how wake-ups
/// travel: in process on SQLite (one server), plus <c>LISTEN/NOTIFY</c> on PostgreSQL (several).</summary>
internal static class DatabaseRegistration
{
    public static IServiceCollection AddKilnDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        // Which services exist is decided now; the connection string is read (and validated) when first used.
        // Pooled contexts: the options are built once and a context is reset instead of made for every
        // request, which was most of the cost of a queue operation.
        var settings = configuration.GetSection(KilnServerOptions.Section).Get<KilnServerOptions>() ?? new KilnServerOptions();
        if (!settings.IsPostgres)
        {
            services.AddDbContextPool<KilnDbContext>((sp, o) => o.UseKilnSqlite(SqliteConnectionString(sp)));
            services.AddSingleton(sp => SqliteDatabase.CreateQueueDatabase(SqliteConnectionString(sp)));
            services.AddSingleton<ChangeNotifier>();
            return services;
        }

        services.AddSingleton(sp => PostgresDatabase.CreateDataSource(sp.GetRequiredService<IOptions<KilnServerOptions>>().Value.DbConnection!));
        services.AddDbContextPool<KilnDbContext>((sp, o) => o.UseKilnPostgres(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => PostgresDatabase.CreateQueueDatabase(sp.GetRequiredService<IOptions<KilnServerOptions>>().Value.DbConnection!));
        services.AddSingleton<PostgresChangePublisher>();
        services.AddSingleton<IChangePublisher>(sp => sp.GetRequiredService<PostgresChangePublisher>());
        services.AddSingleton<ChangeNotifier>();
        services.AddKeyedSingleton(PostgresChangeListener.DataSourceKey, (sp, _) =>
            PostgresDatabase.CreateListenDataSource(sp.GetRequiredService<IOptions<KilnServerOptions>>().Value.DbConnection!));
        services.AddSingleton<PostgresChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresChangePublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeListener>());
        return services;
    }

    private static string SqliteConnectionString(IServiceProvider services) =>
        SqliteDatabase.ConnectionString(services.GetRequiredService<IOptions<KilnServerOptions>>().Value.Data);
}
