namespace Kiln.Data.Entities;

/// <summary>A project's place in the fair share of the agents between projects: start-time fair queueing
/// (Goyal et al., 1996). The queue serves the project with the lowest max(<see cref="FinishTag"/>, the
/// largest <see cref="StartTag"/> of any project), so an idle project cannot bank credit; each lease
/// sets its project's start tag to that key and its finish tag to the start tag plus
/// 1/<see cref="ProjectEntity.Weight"/>. A narrow row of its own, made with the project: every lease
/// writes it, and kept on the project's wide row, read several times by every lease, the tags made
/// each lease cost more (Queue/LeaseRules).</summary>
public sealed class FairShareEntity
{
    public long ProjectId { get; set; }
    public double StartTag { get; set; }
    public double FinishTag { get; set; }
}
