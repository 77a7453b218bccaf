namespace Kiln.Data.Entities;

public sealed class AgentEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Labels separated by ','.</summary>
    public string Labels { get; set; } = "";
    public int Slots { get; set; } = 1;
    public string? Version { get; set; }
    public string? Os { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
    /// <summary>A paused agent finishes its running jobs and takes no new ones.</summary>
    public bool Paused { get; set; }
    /// <summary>Free disk in its work folder and 1-minute load average, from its last heartbeat.</summary>
    public long? FreeDiskBytes { get; set; }
    public double? LoadAverage { get; set; }
    /// <summary>The registration token that created the agent (null for the server's own agent); the same
    /// token may register the same name again. Not a foreign key: revoking that token leaves the agent.</summary>
    public long? RegistrationTokenId { get; set; }
}
