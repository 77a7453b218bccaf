using Kiln.Data;
using Kiln.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Auth;

/// <summary>What the first start created: shown once by <c>kiln server</c>.</summary>
public sealed record InitialAdmin(string Password, string Token, string TokenFile);

/// <summary>On the very first start, creates the <c>admin</c> user with a random password and an
/// admin token, and writes the token to <c>DATA/initial-admin-token</c> (mode 0600).</summary>
public sealed class AdminBootstrap(KilnDbContext db, IOptions<KilnServerOptions> options, TimeProvider time)
{
    public const string AdminName = "admin";

    /// <returns>The new credentials on a first start; null when the admin already existed.</returns>
    public async Task<InitialAdmin?> EnsureAdminAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var bootstrapToken = options.Value.BootstrapAdminToken;
        var admin = await db.Users.SingleOrDefaultAsync(u => u.Name == AdminName, cancellationToken);
        InitialAdmin? created = null;
        if (admin is null)
        {
            var password = Tokens.NewToken()[5..29];
            admin = new UserEntity { Name = AdminName, PasswordHash = "", IsAdmin = true, CreatedAt = now };
            admin.PasswordHash = new PasswordHasher<UserEntity>().HashPassword(admin, password);
            db.Users.Add(admin);
            await db.SaveChangesAsync(cancellationToken);
            var token = string.IsNullOrEmpty(bootstrapToken) ? Tokens.NewToken() : bootstrapToken;
            db.ApiTokens.Add(new ApiTokenEntity { Name = "initial-admin", Hash = Tokens.Hash(token), UserId = admin.Id, Scope = "admin", CreatedAt = now });
            await db.SaveChangesAsync(cancellationToken);
            var file = Path.Combine(options.Value.Data, "initial-admin-token");
            await WriteSecretFileAsync(file, token + "\n", cancellationToken);
            created = new InitialAdmin(password, token, file);
        }
        else if (!string.IsNullOrEmpty(bootstrapToken))
        {
            var hash = Tokens.Hash(bootstrapToken);
            if (!await db.ApiTokens.AnyAsync(t => t.Hash == hash, cancellationToken))
            {
                db.ApiTokens.Add(new ApiTokenEntity { Name = "bootstrap-admin", Hash = hash, UserId = admin.Id, Scope = "admin", CreatedAt = now });
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return created;
    }

    private static async Task WriteSecretFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        var fileOptions = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var stream = new FileStream(temp, fileOptions))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), cancellationToken);
        }

        File.Move(temp, path, overwrite: true);
    }
}
