using Kiln.Core.Triggers;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Builds;
using Kiln.Server.Projects;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Webhooks;

/// <summary>What came of processing a delivery: its state, what to record, the builds it made, and when
/// to try again if it should be (the repository could not be fetched, say).</summary>
public sealed record DeliveryResult(DeliveryState State, string Outcome, IReadOnlyList<int> Builds, bool Retry = false);

/// <summary>Turns a stored delivery into its builds, exactly once: each build it makes carries the delivery's
/// id (with <c>/2</c>, <c>/3</c> … for the further refs of a Bitbucket push), so a delivery whose processing
/// was cut off after a build was made finds that build instead of making another. The project's allowed
/// actors and fork policy are applied here, from the forge-verified sender.</summary>
public sealed class DeliveryHandler(KilnDbContext db, BuildTrigger trigger, WebhookProviders providers)
{
    public async Task<DeliveryResult> HandleAsync(WebhookDeliveryEntity delivery, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Id == delivery.ProjectId, cancellationToken);
        if (project is null)
        {
            return new(DeliveryState.Failed, "the project was removed", []);
        }

        var payload = providers.For(delivery.Forge).Parse(delivery.EventName, delivery.Body);
        var builds = new List<int>();
        var notes = new List<string>();
        var retry = false;
        for (var i = 0; i < payload.Triggers.Count; i++)
        {
            var item = payload.Triggers[i];
            var key = payload.Triggers.Count == 1 ? delivery.DeliveryId : $"{delivery.DeliveryId}/{i + 1}";
            var made = await db.Builds.AsNoTracking().Where(b => b.ProjectId == project.Id && b.DeliveryId == key).Select(b => (int?)b.Number).FirstOrDefaultAsync(cancellationToken);
            if (made is { } number)
            {
                builds.Add(number);
                continue;
            }

            if (Refusal(project, item) is { } refused)
            {
                notes.Add(refused);
                continue;
            }

            var result = await trigger.TriggerAsync(Request(project, item, delivery.Forge, key), cancellationToken);
            if (result.BuildNumber is { } built)
            {
                builds.Add(built);
                notes.Add(result.Skipped is { } skipped ? $"#{built} skipped: {skipped}" : $"#{built} {item.Ref}");
            }
            else
            {
                // The repository could not be fetched, or the commit is not in it yet: worth another try.
                notes.Add(result.Message ?? "no build");
                retry |= result.Failure == TriggerFailure.Rejected;
            }
        }

        var outcome = string.Join("; ", notes);
        return builds.Count > 0 ? new(DeliveryState.Done, outcome, builds, retry)
            : retry ? new(DeliveryState.Failed, outcome, builds, Retry: true)
            : new(DeliveryState.Skipped, outcome, builds);
    }

    /// <summary>Why the sender's push or pull request makes no build, or null if it may.</summary>
    private static string? Refusal(ProjectEntity project, ForgeTrigger item)
    {
        if (ProjectService.SplitActors(project.AllowedActors) is { } allowed && !allowed.Contains(item.Actor, StringComparer.OrdinalIgnoreCase))
        {
            return $"'{item.Actor}' is not one of the project's allowed actors";
        }

        return item.FromFork && project.ForkPullRequests == ForkPolicy.Skip
            ? $"pull request #{item.PullRequest} comes from a fork, and the project skips those"
            : null;
    }

    private static TriggerRequest Request(ProjectEntity project, ForgeTrigger item, Forge forge, string deliveryId) =>
        new(project.Name, item.Ref, new Dictionary<string, string>(), item.Event, item.Actor)
        {
            Push = new ForgePush(item.Commit, item.Branch, item.Tag)
            {
                Before = item.Before,
                Message = item.Message,
                Forge = forge,
                DeliveryId = deliveryId,
                PullRequest = item.PullRequest,
                BaseBranch = item.BaseBranch,
                FromFork = item.FromFork,
                RequireApproval = item.FromFork && project.ForkPullRequests == ForkPolicy.RequireApproval,
            },
        };
}
