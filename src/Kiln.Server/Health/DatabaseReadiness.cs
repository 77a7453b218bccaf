namespace Kiln.Server.Health;

/// <summary>Set once migrations were applied at start; <c>/readyz</c> also checks the database answers.</summary>
public sealed class DatabaseReadiness
{
    private volatile bool _migrated;

    public bool Migrated => _migrated;

    public void MarkMigrated() => _migrated = true;
}
