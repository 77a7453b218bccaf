using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Queue;

/// <summary>Runs a read-modify-write transaction again when a job it changed was changed by someone
/// else first (job status is a concurrency token): the next try reads the newer state. On SQLite
/// writers are serialized and this never fires; on PostgreSQL a lease can claim a job between a
/// cancel's read and its write.</summary>
public static class ConflictRetry
{
    private const int Tries = 3;

    public static async Task<T> RunAsync<T>(KilnDbContext db, Func<CancellationToken, Task<T>> transaction, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction(cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < Tries)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
