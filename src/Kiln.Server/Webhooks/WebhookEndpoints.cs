using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Contracts.Api;
using Kiln.Core.Triggers;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Webhooks;

/// <summary><c>POST /hooks/{provider}/{project}</c>: the forge's proof of the secret first (401, nothing read
/// or stored, when it is missing or wrong), then the size (413), then the payload (400 when it cannot be
/// read or names another repository); a ping is a 200, an event that builds nothing a 202 saying why. A
/// delivery that asks for builds is stored before the answer and built in the background
/// (<see cref="WebhookProcessor"/>); a redelivery is a 200 naming the builds the first one made.</summary>
public static class WebhookEndpoints
{
    /// <summary>How long a redelivery waits for the first one's processing, to name its builds.</summary>
    private static readonly TimeSpan DuplicateWait = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/{provider}/{project}", ReceiveAsync).AllowAnonymous().WithTags("Webhooks");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string provider,
        string project,
        HttpRequest request,
        WebhookProviders providers,
        KilnDbContext db,
        WebhookInbox inbox,
        ChangeNotifier notifier,
        TimeProvider time,
        ILogger<WebhookInbox> logger,
        CancellationToken ct)
    {
        if (providers.Find(provider) is not { } hooks)
        {
            return Problems.NotFound($"There is no webhook provider '{provider}'; providers are {string.Join(", ", Forges.Names)}.");
        }

        var target = await db.Projects.AsNoTracking().Where(p => p.Name == project)
            .Select(p => new { p.Id, p.WebhookSecret, p.RepoUrl }).SingleOrDefaultAsync(ct);
        if (target is null)
        {
            return Problems.NotFound($"There is no project named '{project}'.");
        }

        if (target.WebhookSecret is not { } secret)
        {
            return Unauthorized($"Project '{project}' takes no webhooks: it has no webhook secret (kiln project hook {project} makes one).");
        }

        var credential = hooks.Credential(request.Headers);
        if (credential is HookCredential.Missing missing)
        {
            return Unauthorized(missing.Reason);
        }

        if (credential is HookCredential.Token token && !token.Matches(secret))
        {
            return Unauthorized("The delivery's token is not the project's webhook secret.");
        }

        using var hash = (credential as HookCredential.Signature)?.Start(secret);
        var (body, length, mac) = await WebhookBody.ReadAsync(request, hash, ct);
        if (credential is HookCredential.Signature signature && !signature.Matches(mac!))
        {
            return Unauthorized("The delivery's signature does not match its body signed with the project's webhook secret.");
        }

        if (body is null)
        {
            return TypedResults.Problem($"The body is {length} bytes; a delivery may be at most {WebhookBody.MaxBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");
        }

        if (hooks.EventName(request.Headers) is not { Length: > 0 } eventName)
        {
            return Problems.BadRequest($"The delivery does not say which event it is (the {hooks.Forge.ToWire()} event header is missing).");
        }

        HookPayload payload;
        try
        {
            payload = hooks.Parse(eventName, body);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not a valid {eventName} payload: {e.Message}");
        }

        if (payload.Invalid is { } invalid)
        {
            return Problems.BadRequest(invalid);
        }

        if (payload.Ping)
        {
            return TypedResults.Ok(new WebhookResponse("ping"));
        }

        if (payload.Ignored is { } ignored)
        {
            return TypedResults.Accepted((string?)null, new WebhookResponse("ignored", Ignored: ignored));
        }

        if (ForgeRepository.FromUrl(target.RepoUrl) is { } own && payload.Triggers.FirstOrDefault(t => t.Repositories.Count > 0 && !t.Repositories.Any(own.SameAs)) is { } foreign)
        {
            return Problems.BadRequest($"The payload is for the repository {foreign.Repositories[0]}, but project '{project}' builds {own}.");
        }

        var deliveryId = hooks.DeliveryId(request.Headers) is { Length: > 0 and <= 100 } given ? given : Convert.ToHexStringLower(SHA256.HashData(body));
        var (delivery, duplicate) = await inbox.AddAsync(target.Id, hooks.Forge, deliveryId, eventName, body, ct);
        if (!duplicate)
        {
            logger.LogInformation("Webhook delivery {Delivery} ({Forge} {Event}) for {Project} stored as {Id}", deliveryId, hooks.Forge.ToWire(), eventName, project, delivery.Id);
            return TypedResults.Accepted((string?)null, new WebhookResponse("accepted", deliveryId));
        }

        var first = await WaitProcessedAsync(delivery, inbox, notifier, time, ct);
        return TypedResults.Ok(new WebhookResponse(
            DeliveryStates.Wire.ToWire(first.State), deliveryId, first.BuildNumbers?.Split(',').Select(int.Parse).ToList() ?? [], Duplicate: true, Outcome: first.Outcome));
    }

    private static async Task<WebhookDeliveryEntity> WaitProcessedAsync(WebhookDeliveryEntity delivery, WebhookInbox inbox, ChangeNotifier notifier, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.UtcNow() + DuplicateWait;
        while (delivery.State == DeliveryState.Pending && time.UtcNow() < deadline)
        {
            var waiter = notifier.Waiter(WebhookInbox.Topic);
            delivery = await inbox.GetAsync(delivery.Id, ct) ?? delivery;
            if (delivery.State != DeliveryState.Pending)
            {
                ChangeNotifier.Release(waiter);
                break;
            }

            await ChangeNotifier.WaitAsync(waiter, TimeSpan.FromMilliseconds(250), ct);
        }

        return delivery;
    }

    private static IResult Unauthorized(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
}
