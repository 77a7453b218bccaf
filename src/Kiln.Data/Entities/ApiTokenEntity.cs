namespace Kiln.Data.Entities;

/// <summary>A bearer token. Only its SHA-256 is stored. A token belongs to a user or to an agent.</summary>
public sealed class ApiTokenEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public long? UserId { get; set; }
    public long? AgentId { get; set; }
    public required string Scope { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
}
