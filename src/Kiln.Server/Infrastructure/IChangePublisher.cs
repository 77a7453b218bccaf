namespace Kiln.Server.Infrastructure;

/// <summary>Carries a local <see cref="ChangeNotifier.Notify"/> to the other servers of the installation
/// (PostgreSQL <c>NOTIFY</c>). Must not block or throw: a lost message only delays a wake-up until the
/// waiter's own timeout, because every waiter re-reads the database.</summary>
public interface IChangePublisher
{
    void Publish(string topic);
}
