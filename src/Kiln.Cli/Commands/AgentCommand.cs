using System.CommandLine;
using System.Runtime.InteropServices;
using Kiln.Agent;
using Kiln.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln agent --server URL --token T [--name N] [--labels a,b] [--slots N] [--work DIR]</c>: a remote
/// agent. The first start registers with the registration token and saves the agent's identity in
/// <c>WORK/agent.json</c>; later starts reuse it (the token may then be left out) and tell the server the labels
/// and slots given now (<c>POST /api/v1/agent/hello</c>): the command line is the truth on every start.
/// Logs go to stdout and <c>WORK/agent.log</c> as logfmt lines. SIGINT/SIGTERM stop it gracefully: running
/// steps are stopped and reported canceled.</summary>
public static class AgentCommand
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public static Command Create(CommandContext ctx)
    {
        var server = new Option<string?>("--server") { Description = "URL of the Kiln server (or KILN_SERVER)" };
        var token = new Option<string?>("--token") { Description = "Registration token (kiln token create --agent); needed on the first start only" };
        var name = new Option<string?>("--name") { Description = "Agent name (default: the host name)" };
        var labels = new Option<string?>("--labels") { Description = "Labels jobs can ask for with runs-on, comma-separated (the OS and architecture are added)" };
        var slots = new Option<int>("--slots") { Description = "Jobs run at once", DefaultValueFactory = _ => 1 };
        var work = new Option<string?>("--work") { Description = "Work folder: identity, log and workspaces (default ./kiln-agent)" };
        var cmd = new Command("agent", "Run an agent that takes jobs from a Kiln server") { server, token, name, labels, slots, work };
        cmd.SetAction((parse, _) => ctx.RunAsync(async () =>
        {
            var serverText = parse.GetValue(server) ?? Environment.GetEnvironmentVariable("KILN_SERVER");
            if (string.IsNullOrEmpty(serverText)
                || !Uri.TryCreate(serverText.EndsWith('/') ? serverText : serverText + "/", UriKind.Absolute, out var serverUrl)
                || serverUrl.Scheme is not ("http" or "https"))
            {
                throw new CliException(ExitCodes.Usage, "--server must be the server's URL, like http://ci.example.com:8080.");
            }

            if (parse.GetValue(slots) is < 1 or > 64)
            {
                throw new CliException(ExitCodes.Usage, "--slots must be between 1 and 64.");
            }

            var setup = new AgentSetup(
                serverUrl,
                parse.GetValue(token),
                parse.GetValue(name) ?? Environment.MachineName,
                (parse.GetValue(labels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(slots),
                Path.GetFullPath(parse.GetValue(work) ?? "kiln-agent"));
            return await RunAsync(ctx, setup);
        }));
        return cmd;
    }

    private static async Task<int> RunAsync(CommandContext ctx, AgentSetup setup)
    {
        using var stop = new ShutdownSignal();

        TextWriter logFile;
        try
        {
            Directory.CreateDirectory(setup.WorkDir);
            logFile = new StreamWriter(new FileStream(Path.Combine(setup.WorkDir, "agent.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"the work folder {setup.WorkDir} is not writable ({e.Message}); choose another with --work.");
        }

        await using (logFile)
        {
            using var loggers = LoggerFactory.Create(b => Configure(b, ctx, logFile));
            var logger = loggers.CreateLogger("Kiln.Agent.Startup");
            AgentIdentity identity;
#pragma warning disable RS0030 // The CLI is its own composition root: one client for the start checks.
            using (var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan })
#pragma warning restore RS0030
            {
                try
                {
                    (identity, _) = await AgentStartup.PrepareAsync(setup, http, logger, stop.Token);
                }
                catch (AgentStartupException e)
                {
                    logger.LogError("Agent start failed: {Reason}", e.Message);
                    throw new CliException(e.Refused ? ExitCodes.Unreachable : ExitCodes.Usage, e.Message);
                }
                catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
                {
                    return ExitCodes.Success;
                }
            }

            // Orphans of steps (setsid, double fork) re-parent to us, so the sweep can find and reap them.
            ProcessTreeSweeper.TryBecomeSubreaper();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            Configure(builder.Logging, ctx, logFile);
            builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
            builder.Services.AddKilnAgent(new AgentOptions
            {
                ServerUrl = setup.Server,
                Token = identity.Token,
                Name = identity.Name,
                WorkDir = setup.WorkDir,
                Slots = setup.Slots,
                Labels = setup.Labels,
            });
            using var host = builder.Build();
            await host.StartAsync(CancellationToken.None);
            logger.LogInformation("Agent {Agent} working for {Server} in {WorkDir}; stop it with Ctrl-C or SIGTERM", identity.Name, setup.Server, setup.WorkDir);
            await stop.WaitAsync();

            logger.LogInformation("Agent {Agent} stopping; running steps are canceled and reported", identity.Name);
            using var deadline = new CancellationTokenSource(StopTimeout);
            await host.StopAsync(deadline.Token);
            logger.LogInformation("Agent {Agent} stopped", identity.Name);
        }

        return ExitCodes.Success;
    }

    private static void Configure(ILoggingBuilder logging, CommandContext ctx, TextWriter logFile)
    {
        logging.AddProvider(new LogfmtLoggerProvider(ctx.Out, ctx.Time));
        logging.AddProvider(new LogfmtLoggerProvider(logFile, ctx.Time));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
    }
}
