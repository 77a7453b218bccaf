namespace Kiln.Data.Events;

/// <summary>Told after a transaction that appended events committed, so that readers waiting for new
/// events (<see cref="EventLog"/>) read at once instead of on their next poll. Must not block or throw.</summary>
public interface IEventSignal
{
    void Appended();
}
