namespace Kiln.Server.Web;

/// <summary>What every page's frame needs: its title, who is signed in, the antiforgery token its forms
/// carry, where the assets are, the time it was rendered at (for relative times), and the event id its live
/// stream starts after (null for a page without one), and the origin the browser reached Kiln at (for snippets).</summary>
public sealed record PageFrame(string Title, string? User, Csrf Csrf, WebAssets Assets, DateTimeOffset Now, string Origin, string? LiveUrl = null);

/// <summary>The hidden form field that proves a form was sent from Kiln's own page.</summary>
public sealed record Csrf(string Field, string Token);
