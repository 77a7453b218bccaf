using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Webhooks;

public static class WebhookServices
{
    /// <summary>The providers, the inbox and its background processor.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<IWebhookProvider, GitHubWebhooks>();
        services.AddSingleton<IWebhookProvider, GitLabWebhooks>();
        services.AddSingleton<IWebhookProvider, GiteaWebhooks>();
        services.AddSingleton<IWebhookProvider, BitbucketWebhooks>();
        services.AddSingleton<IWebhookProvider, GenericWebhooks>();
        services.AddSingleton<WebhookProviders>();
        services.AddScoped<WebhookInbox>();
        services.AddScoped<DeliveryHandler>();
        services.AddSingleton<WebhookProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        return services;
    }
}
