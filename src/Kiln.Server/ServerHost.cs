using Kiln.Contracts;
using Kiln.Data;
using Kiln.Data.Events;
using Kiln.Data.Sqlite;
using Kiln.Server.AgentApi;
using Kiln.Server.Agents;
using Kiln.Server.Auth;
using Kiln.Server.Background;
using Kiln.Server.Builds;
using Kiln.Server.Events;
using Kiln.Server.Health;
using Kiln.Server.Infrastructure;
using Kiln.Server.Logs;
using Kiln.Server.Pipelines;
using Kiln.Server.Queue;
using Kiln.Server.Projects;
using Kiln.Server.Web;
using Kiln.Server.Webhooks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiln.Server;

/// <summary>Builds the server's web application; used by <c>kiln server</c> and by tests, so both run
/// the same composition. The caller owns the lifetime (signals, ordering with the local agent).</summary>
public static class ServerHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        KilnEnvironment.AddTo(builder.Configuration, Environment.GetEnvironmentVariables());
        builder.Services.AddOptions<KilnServerOptions>()
            .Bind(builder.Configuration.GetSection(KilnServerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddKilnDatabase(builder.Configuration);
        builder.Services.AddKilnStores();
        builder.Services.AddSingleton<DatabaseReadiness>();
        builder.Services.AddSingleton<Git>();
        builder.Services.AddSingleton<GitMirror>();
        builder.Services.AddSingleton<LeaseBuilder>();
        builder.Services.AddScoped<ProjectService>();
        builder.Services.AddScoped<BuildTrigger>();
        builder.Services.AddScoped<BuildQueries>();
        builder.Services.AddScoped<BuildCanceler>();
        builder.Services.AddScoped<JobApprover>();
        builder.Services.AddScoped<QueueQueries>();
        builder.Services.AddScoped<AdminBootstrap>();
        builder.Services.AddScoped<LocalAgentEnrollment>();
        builder.Services.AddScoped<TokenService>();
        builder.Services.AddSingleton<TokenCache>();
        builder.Services.AddSingleton<AgentSeenThrottle>();
        builder.Services.AddScoped<AgentRegistration>();
        builder.Services.AddScoped<AgentDirectory>();
        builder.Services.AddHostedService<LeaseReaper>();
        builder.Services.AddHostedService<CooldownWaker>();
        builder.Services.AddSingleton<IEventSignal, EventSignal>();
        builder.Services.AddSingleton<EventRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventRetention>());
        builder.Services.AddWebhooks();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, KilnJsonContext.Default));
        builder.Services.AddKilnAuthentication();
        builder.Services.AddWebUi();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KilnClaims.UserPolicy, p => p.RequireClaim(KilnClaims.Kind, "user"))
            .AddPolicy(KilnClaims.AgentPolicy, p => p.RequireClaim(KilnClaims.Kind, "agent"))
            .AddPolicy(KilnClaims.RegistrationPolicy, p => p.RequireClaim(KilnClaims.Kind, "registration"))
            .AddPolicy(KilnClaims.AdminPolicy, p => p.RequireClaim(KilnClaims.Kind, "user").RequireClaim(KilnClaims.IsAdmin, "true").RequireClaim(KilnClaims.Scope, "admin"));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapProjectEndpoints();
        app.MapBuildEndpoints();
        app.MapLogEndpoints();
        app.MapAgentEndpoints();
        app.MapAgentsEndpoints();
        app.MapTokenEndpoints();
        app.MapPipelineEndpoints();
        app.MapQueueEndpoints();
        app.MapEventEndpoints();
        app.MapWebhookEndpoints();
        app.MapWebUi();
        return app;
    }

    /// <summary>Creates the data folder, applies migrations, makes the first admin and looks for git.
    /// Call before <c>StartAsync</c>. Throws <see cref="StartupException"/> when the data folder cannot be
    /// written or the database does not answer; a missing git is only noted in <see cref="Git.Problem"/>.</summary>
    public static async Task<InitialAdmin?> PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<IOptions<KilnServerOptions>>().Value;
        StartupChecks.CheckDataFolder(options.Data);
        await using var scope = app.Services.CreateAsyncScope();
        await StartupChecks.CheckDatabaseAsync(() => scope.ServiceProvider.GetRequiredService<KilnDbContext>(), options, cancellationToken);
        var db = scope.ServiceProvider.GetRequiredService<KilnDbContext>();
        if (db.Database.IsSqlite())
        {
            await SqliteDatabase.PrepareAsync(db, cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
        app.Services.GetRequiredService<DatabaseReadiness>().MarkMigrated();
        await app.Services.GetRequiredService<Git>().CheckAsync(cancellationToken);
        return await scope.ServiceProvider.GetRequiredService<AdminBootstrap>().EnsureAdminAsync(cancellationToken);
    }
}
