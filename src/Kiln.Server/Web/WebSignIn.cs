using System.Globalization;
using System.Security.Claims;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Web;

/// <summary>Signs people in to the web UI with their name and password: a cookie whose principal carries the
/// same claims a user token of theirs would (an administrator's with scope <c>admin</c>).</summary>
public sealed class WebSignIn(KilnDbContext db)
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    private static readonly PasswordHasher<UserEntity> Hasher = new();

    /// <summary>Checks the password and sets the cookie; false (and no cookie) when the name or password is wrong.</summary>
    public async Task<bool> SignInAsync(HttpContext http, string? name, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password))
        {
            return false;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is null || Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            return false;
        }

        List<Claim> claims =
        [
            new(KilnClaims.Kind, "user"),
            new(KilnClaims.UserId, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Name),
            new(KilnClaims.Scope, user.IsAdmin ? "admin" : "write"),
        ];
        if (user.IsAdmin)
        {
            claims.Add(new(KilnClaims.IsAdmin, "true"));
        }

        await http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)));
        return true;
    }

    /// <summary>Where to go after signing in: a local path only, never another site (an open redirect).</summary>
    public static string LocalReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal)
            ? url
            : "/";
}
