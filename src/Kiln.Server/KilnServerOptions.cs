using System.ComponentModel.DataAnnotations;

namespace Kiln.Server;

/// <summary>Server settings, section <c>Kiln</c> (environment: <c>KILN_…</c>, e.g. <c>KILN_DATA</c>).
/// docs/operations.md lists them all.</summary>
public sealed class KilnServerOptions : IValidatableObject
{
    public const string Section = "Kiln";

    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";

    public const string DefaultGit = "git";

    /// <summary>The data folder: database, repository mirrors, the initial admin token.</summary>
    [Required]
    public string Data { get; set; } = "kiln-data";

    /// <summary>How long an agent's lease lasts without a heartbeat.</summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>Per-job log cap in bytes; past it the agent keeps the head and the tail.</summary>
    [Range(1024, long.MaxValue)]
    public long LogCapBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>If set, this admin API token exists from the first start on (for automation).</summary>
    public string? BootstrapAdminToken { get; set; }

    /// <summary>How often the reaper looks for expired leases.</summary>
    [Range(1, 300)]
    public int ReaperIntervalSeconds { get; set; } = 5;

    /// <summary>Events older than this many days are deleted (<c>/api/v1/events</c> replays only what is kept).</summary>
    [Range(1, 36500)]
    public int EventRetentionDays { get; set; } = 30;

    /// <summary>How often old events are looked for.</summary>
    [Range(1, 10080)]
    public int EventRetentionIntervalMinutes { get; set; } = 60;

    /// <summary>How often an idle event stream reads the log anyway, in case a wake-up from another server was lost.</summary>
    [Range(50, 60000)]
    public int EventPollMilliseconds { get; set; } = 1000;

    /// <summary>Seconds of silence after which an event stream sends <c>: ping</c>.</summary>
    [Range(1, 300)]
    public int EventKeepAliveSeconds { get; set; } = 15;

    /// <summary>How often the webhook inbox is looked at anyway, for deliveries stored through another server
    /// or left half-processed by a crash (a delivery stored here wakes it at once).</summary>
    [Range(1, 3600)]
    public int WebhookPollSeconds { get; set; } = 5;

    /// <summary>Processed webhook deliveries are kept this many days, so that a redelivery is recognised.</summary>
    [Range(7, 3650)]
    public int WebhookRetentionDays { get; set; } = 14;

    /// <summary>The database: <c>sqlite</c> (default; <c>kiln.db</c> in the data folder, one server) or
    /// <c>postgres</c> (several servers may share it; needs <see cref="DbConnection"/>).</summary>
    public string Db { get; set; } = Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql form: <c>Host=…;Database=…;Username=…;Password=…</c>).</summary>
    public string? DbConnection { get; set; }

    /// <summary>The git executable: a name looked up on PATH, or a path. Without it repository projects
    /// cannot be added or built; task-only projects still work.</summary>
    [Required]
    public string Git { get; set; } = DefaultGit;

    public bool IsPostgres => string.Equals(Db, Postgres, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPostgres && !string.Equals(Db, Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"Unknown database '{Db}': use sqlite or postgres (--db, KILN_DB).", [nameof(Db)]);
        }
        else if (IsPostgres && string.IsNullOrWhiteSpace(DbConnection))
        {
            yield return new ValidationResult(
                "The postgres database needs a connection string: --db-connection \"Host=…;Database=kiln;Username=…;Password=…\" or KILN_DB_CONNECTION.",
                [nameof(DbConnection)]);
        }
    }
}
