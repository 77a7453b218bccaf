using System.Net;
using System.Net.Http.Json;
using System.Text;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Data;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Webhooks;

/// <summary>A server with project <c>app</c> on a real git repository (its origin), a webhook secret, and a
/// <see cref="HookSender"/> for it. No agent runs, so builds stay queued where the tests look at them.</summary>
internal sealed class HookEnv : IAsyncDisposable
{
    public const string Secret = "s3cret-for-tests";

    private HookEnv(KilnTestServer server, TestGitRepo repo)
    {
        Server = server;
        Repo = repo;
        Hooks = new HookSender(server.Client(null), "app", Secret);
    }

    public KilnTestServer Server { get; private set; }

    public TestGitRepo Repo { get; }

    public HookSender Hooks { get; private set; }

    public static async Task<HookEnv> StartAsync(string pipeline, params string[] serverArgs) => await StartWithSecretAsync(pipeline, Secret, serverArgs);

    public static async Task<HookEnv> StartWithSecretAsync(string pipeline, string? secret, params string[] serverArgs)
    {
        var repo = await TestGitRepo.CreateAsync(pipeline);
        var server = await KilnTestServer.StartAsync(serverArgs);
        using var response = await server.Admin.PostAsJsonAsync("api/v1/projects",
            new CreateProjectRequest("app", repo.Path, null, null, WebhookSecret: secret), KilnJsonContext.Default.CreateProjectRequest);
        await KilnTestServer.ExpectAsync(response, HttpStatusCode.Created);
        return new HookEnv(server, repo);
    }

    public async Task<KilnTestServer> RestartAsync()
    {
        Server = await Server.RestartAsync();
        Hooks = new HookSender(Server.Client(null), "app", Secret);
        return Server;
    }

    public async Task PatchAsync(string json)
    {
        using var response = await Server.Admin.PatchAsync("api/v1/projects/app", new StringContent(json, Encoding.UTF8, "application/merge-patch+json"));
        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
    }

    /// <summary>Points the project at a forge URL without cloning it (the server checks a new project's repository).</summary>
    public async Task SetRepoUrlAsync(string url)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<KilnDbContext>().Projects.ExecuteUpdateAsync(s => s.SetProperty(p => p.RepoUrl, url));
    }

    public async Task<List<BuildResource>> BuildsAsync() =>
        (await Server.Admin.GetFromJsonAsync("api/v1/projects/app/builds?limit=100", KilnJsonContext.Default.ListBuildResource))!;

    public async Task<List<BuildResource>> WaitForBuildsAsync(int count) =>
        await KilnTestServer.WaitForAsync(BuildsAsync, b => b.Count >= count, TimeSpan.FromSeconds(20), $"{count} build(s)");

    public async Task<BuildResource> WaitForBuildAsync(int number) =>
        (await WaitForBuildsAsync(number)).Single(b => b.Number == number);

    public async Task<int> DeliveriesAsync()
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KilnDbContext>().WebhookDeliveries.CountAsync();
    }

    public async Task<WebhookDeliveryEntity> WaitForDeliveryAsync(string deliveryId) =>
        (await KilnTestServer.WaitForAsync(
            async () =>
            {
                await using var scope = Server.App.Services.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<KilnDbContext>().WebhookDeliveries.AsNoTracking()
                    .SingleOrDefaultAsync(d => d.DeliveryId == deliveryId);
            },
            d => d is { State: not DeliveryState.Pending },
            TimeSpan.FromSeconds(20),
            $"delivery {deliveryId} processed"))!;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Repo.Dispose();
    }
}
