using Kiln.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Agent;

public static class AgentServices
{
    /// <summary>Everything an agent needs; the caller adds logging and hosts it.</summary>
    public static IServiceCollection AddKilnAgent(this IServiceCollection services, AgentOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new ShellExecutorOptions());
        services.AddSingleton<IStepExecutor, ShellStepExecutor>();
        services.AddSingleton<ProcessTreeSweeper>();
        services.AddSingleton<JobRunner>();
        services.AddHttpClient<ServerClient>(http =>
        {
            http.BaseAddress = options.ServerUrl;
            http.DefaultRequestHeaders.Authorization = new("Bearer", options.Token);
            http.Timeout = TimeSpan.FromSeconds(90);
        });
        services.AddHostedService<AgentWorker>();
        return services;
    }
}
