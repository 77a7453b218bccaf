using System.CommandLine;
using System.Runtime.InteropServices;
using Kiln.Agent;
using Kiln.Execution;
using Kiln.Server;
using Kiln.Server.Auth;
using Kiln.Server.Projects;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln server [--data DIR] [--urls URL] [--agents N] [--db sqlite|postgres] [--db-connection CS]</c>:
/// the server on embedded SQLite (or a PostgreSQL database that several servers may share),
/// with its own agent(s) beside it talking HTTP over loopback. On SIGINT/SIGTERM the agent stops
/// first (its running steps are stopped and reported <c>canceled</c>), then the server.</summary>
public static class ServerCommand
{
    private static readonly TimeSpan AgentStopTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CommandContext ctx)
    {
        var data = new Option<string?>("--data") { Description = "Data folder (default ./kiln-data, or KILN_DATA)" };
        var urls = new Option<string?>("--urls") { Description = "Where to listen (default http://127.0.0.1:8080)" };
        var agents = new Option<int>("--agents") { Description = "Agents to start beside the server (0 for none)", DefaultValueFactory = _ => 1 };
        var db = new Option<string?>("--db") { Description = "Database: sqlite (default, in the data folder) or postgres (or KILN_DB)" };
        db.AcceptOnlyFromAmong(KilnServerOptions.Sqlite, KilnServerOptions.Postgres);
        var dbConnection = new Option<string?>("--db-connection") { Description = "PostgreSQL connection string, e.g. \"Host=db;Database=kiln;Username=kiln;Password=…\" (or KILN_DB_CONNECTION)" };
        var cmd = new Command("server", "Run the Kiln server (and its own agent)") { data, urls, agents, db, dbConnection };
        cmd.SetAction((parse, _) => ctx.RunAsync(async () =>
        {
            var agentCount = parse.GetValue(agents);
            if (agentCount < 0)
            {
                throw new CliException(ExitCodes.Usage, "--agents must be 0 or more.");
            }

            var dataDir = Path.GetFullPath(parse.GetValue(data) ?? (Environment.GetEnvironmentVariable("KILN_DATA") is { Length: > 0 } d ? d : "kiln-data"));
            var args = new List<string> { $"--Kiln:Data={dataDir}", $"--urls={parse.GetValue(urls) ?? Environment.GetEnvironmentVariable("KILN_URLS") ?? "http://127.0.0.1:8080"}" };
            // Unset flags leave KILN_DB / KILN_DB_CONNECTION (and appsettings.json) in charge.
            if (parse.GetValue(db) is { } database)
            {
                args.Add($"--Kiln:Db={database}");
            }

            if (parse.GetValue(dbConnection) is { } connection)
            {
                args.Add($"--Kiln:DbConnection={connection}");
            }

            return await RunAsync(ctx, args.ToArray(), dataDir, agentCount);
        }));
        return cmd;
    }

    private static async Task<int> RunAsync(CommandContext ctx, string[] args, string dataDir, int agentCount)
    {
        using var stop = new ShutdownSignal();

        var app = ServerHost.Build(args, b =>
        {
            // Signals are ours: the agent must stop before the server does.
            b.Services.AddSingleton<IHostLifetime, ManualLifetime>();
            Quiet(b.Logging);
        });
        await using (app)
        {
            InitialAdmin? admin;
            try
            {
                admin = await ServerHost.PrepareAsync(app, stop.Token);
            }
            catch (OptionsValidationException e)
            {
                // A setting is wrong (e.g. --db postgres without --db-connection): say which, not a stack trace.
                throw new CliException(ExitCodes.Usage, string.Join(Environment.NewLine, e.Failures));
            }
            catch (StartupException e)
            {
                // The data folder cannot be written or the database does not answer: one line, naming the setting.
                throw new CliException(ExitCodes.Usage, e.Message);
            }

            if (app.Services.GetRequiredService<Git>().Problem is { } git)
            {
                // Not fatal: task-only projects work without git.
                await ctx.Error.WriteLineAsync($"kiln: warning: {git}. Task-only projects still work. {GitUnavailableException.Advice}");
            }

            await app.StartAsync(stop.Token);
            var url = app.Urls.First();
            await ctx.Out.WriteLineAsync($"Kiln server listening on {url} (data: {dataDir})");
            if (admin is not null)
            {
                await ctx.Out.WriteLineAsync($"First start: created user 'admin' with password {admin.Password}");
                await ctx.Out.WriteLineAsync($"The admin API token is saved in {admin.TokenFile}; use it as KILN_TOKEN:");
                await ctx.Out.WriteLineAsync(admin.Token);
            }

            await ctx.Out.FlushAsync(stop.Token);
            var agentHost = agentCount > 0 ? await StartAgentAsync(app, new Uri(url), dataDir, agentCount, stop.Token) : null;
            await stop.WaitAsync();

            if (agentHost is not null)
            {
                using var agentDeadline = new CancellationTokenSource(AgentStopTimeout);
                await agentHost.StopAsync(agentDeadline.Token);
                agentHost.Dispose();
            }

            await app.StopAsync(CancellationToken.None);
        }

        return ExitCodes.Success;
    }

    private static async Task<IHost> StartAgentAsync(WebApplication app, Uri serverUrl, string dataDir, int slots, CancellationToken ct)
    {
        var name = $"{Environment.MachineName}-local";
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            token = await scope.ServiceProvider.GetRequiredService<LocalAgentEnrollment>().EnrollAsync(name, slots, ct);
        }

        // Orphans of steps (setsid, double fork) re-parent to us, so the sweep can find and reap them.
        ProcessTreeSweeper.TryBecomeSubreaper();
        var builder = Host.CreateApplicationBuilder();
        Quiet(builder.Logging);
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.Services.AddKilnAgent(new AgentOptions
        {
            ServerUrl = serverUrl,
            Token = token,
            Name = name,
            WorkDir = Path.Combine(dataDir, "agent"),
            Slots = slots,
            Labels = ["local"],
        });
        var host = builder.Build();
        await host.StartAsync(ct);
        return host;
    }

    private static void Quiet(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // A database that does not answer is said once, in words (the start check's line, a request's 500
        // with its exception in the log); EF Core's own "error occurred using the connection" adds nothing.
        logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.Critical);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // Kiln keeps no secrets in Data Protection keys (tokens are hashed in the database).
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
    }
}
