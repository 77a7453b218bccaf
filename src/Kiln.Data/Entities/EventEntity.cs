namespace Kiln.Data.Entities;

/// <summary>One state change of a build, job or step, or of an agent, appended in the transaction that made
/// the change (<see cref="Events.EventRows"/>): a change never commits without its event, nor an event
/// without its change. Ids grow in the order the changes commit (see <see cref="Events.EventLog"/> for
/// how PostgreSQL keeps that promise). Names are copied in, so an event still reads well after its
/// project or build is gone.</summary>
public sealed class EventEntity
{
    public long Id { get; set; }
    public DateTime At { get; set; }

    /// <summary><c>build.queued</c>, <c>job.started</c>, … (<see cref="Kiln.Core.Builds.EventKinds"/>).</summary>
    public required string Kind { get; set; }
    public long? ProjectId { get; set; }
    public string? Project { get; set; }
    public long? BuildId { get; set; }
    public int? BuildNumber { get; set; }
    public long? JobId { get; set; }
    public string? Job { get; set; }

    /// <summary>The step's index in its job, for step events.</summary>
    public int? Step { get; set; }

    /// <summary>The wire status of the build, job or step after the change.</summary>
    public string? Status { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>Who made the change: a user's name, an agent's name, or <c>kiln</c> for the server itself.</summary>
    public string? Actor { get; set; }
}
