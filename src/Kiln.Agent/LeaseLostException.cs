namespace Kiln.Agent;

/// <summary>The server refused a report with 409: this agent's lease on the job is gone
/// (expired, or the job was given to another agent). The agent must stop the job and report nothing more.</summary>
public sealed class LeaseLostException(long jobId) : Exception($"The lease on job {jobId} was lost.")
{
    public long JobId { get; } = jobId;
}
