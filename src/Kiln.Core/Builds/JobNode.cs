namespace Kiln.Core.Builds;

/// <summary>A job of a build as <see cref="DependencyResolver"/> sees it.</summary>
public sealed record JobNode(string Name, IReadOnlyList<string> Needs, JobStatus Status);
