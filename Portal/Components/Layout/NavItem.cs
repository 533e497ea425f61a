namespace Portal.Components.Layout;

/// <summary>One drawer entry: shown to anyone holding one of <paramref name="Roles"/> (empty: every signed-in user).</summary>
public sealed record NavItem(string Title, string Href, string Icon, IReadOnlyList<string> Roles, string Group);
