using Kiln.Data.Logs;
using Kiln.Data.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Data;

public static class ServiceCollectionExtensions
{
    /// <summary>The provider-neutral stores; a provider project registers the DbContext and the
    /// <see cref="QueueDatabase"/> itself.</summary>
    public static IServiceCollection AddKilnStores(this IServiceCollection services)
    {
        services.AddSingleton<IJobQueue, SqlJobQueue>();
        services.AddScoped<ILogStore, EfLogStore>();
        services.AddSingleton<Events.EventLog>();
        return services;
    }
}
