using Kiln.Data.Logs;
using Kiln.Data.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Data;

public static class ServiceCollectionExtensions
{
    /// <summary>The provider-neutral stores; a provider project registers the DbContext itself.</summary>
    public static IServiceCollection AddKilnStores(this IServiceCollection services)
    {
        services.AddScoped<IJobQueue, EfJobQueue>();
        services.AddScoped<ILogStore, EfLogStore>();
        return services;
    }
}
