namespace Kiln.Contracts.Api;

/// <summary>One entry of the event log (<c>GET /api/v1/events</c>): a state change of a build, job or
/// step, or an agent. <c>Kind</c> is <c>build.queued</c>, <c>job.finished</c>, …; <c>Build</c> is the
/// build's number in its project, <c>Step</c> the step's index in its job; <c>Status</c> the wire status
/// after the change. Fields that do not apply are null.</summary>
public sealed record EventResource(
    long Id,
    DateTimeOffset At,
    string Kind,
    string? Project,
    int? Build,
    long? BuildId,
    string? Job,
    long? JobId,
    int? Step,
    string? Status,
    string? FailureReason,
    string? Actor);
