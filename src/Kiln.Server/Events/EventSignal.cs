using Kiln.Data.Events;
using Kiln.Server.Infrastructure;

namespace Kiln.Server.Events;

/// <summary>Wakes the event streams of this server and, through the <see cref="ChangeNotifier"/>'s
/// publisher, of the other servers on the same PostgreSQL database, once the queue committed events.</summary>
public sealed class EventSignal(ChangeNotifier notifier) : IEventSignal
{
    /// <summary>The wake-up topic of the event log.</summary>
    public const string Topic = "events";

    public void Appended() => notifier.Notify(Topic);
}
