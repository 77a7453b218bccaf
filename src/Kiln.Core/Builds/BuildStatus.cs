namespace Kiln.Core.Builds;

/// <summary>The status of a build. Wire names are the snake_case of the member (see <see cref="StatusNames"/>).</summary>
public enum BuildStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Kiln or the infrastructure failed, not the user's commands.</summary>
    Error,

    /// <summary>The trigger's filters removed every job (or <c>[skip ci]</c>, an actor not allowed): made
    /// ended, with the reason, so that a required commit check never hangs pending.</summary>
    Skipped,
}
