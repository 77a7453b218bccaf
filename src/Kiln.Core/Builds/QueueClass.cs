using Kiln.Core.Triggers;

namespace Kiln.Core.Builds;

/// <summary>A job's lease class, stored on its row as a number: a lower class is leased first, whatever
/// the projects' fair shares. Set from the build's event; a retry keeps it.</summary>
public enum QueueClass
{
    /// <summary>Builds a person asked for (<c>manual</c>, <c>api</c>) go first.</summary>
    Manual = 0,

    /// <summary>Forge events: <c>push</c>, <c>pull_request</c>, <c>tag</c>.</summary>
    Push = 1,

    /// <summary>Scheduled builds go last.</summary>
    Schedule = 2,
}

/// <summary>Which <see cref="QueueClass"/> a build of each event gets.</summary>
public static class QueueClasses
{
    public static QueueClass For(TriggerEvent triggerEvent) => triggerEvent switch
    {
        TriggerEvent.Manual or TriggerEvent.Api => QueueClass.Manual,
        TriggerEvent.Schedule => QueueClass.Schedule,
        _ => QueueClass.Push,
    };
}
