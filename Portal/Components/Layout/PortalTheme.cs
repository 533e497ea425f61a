using MudBlazor;

namespace Portal.Components.Layout;

/// <summary>The brand's colours for MudBlazor (wwwroot-assets/brand.css carries the same values for plain markup).</summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#C8102E",
            Secondary = "#1F2933",
            AppbarBackground = "#1F2933",
            AppbarText = "#FFFFFF",
            DrawerBackground = "#F7F7F8",
            Background = "#FFFFFF",

            // Darker than MudBlazor's defaults so white text on chips, toasts and filled buttons, and coloured text
            // on alerts' tinted backgrounds, reach WCAG AA (4.5:1).
            Success = "#2E7D32",
            Info = "#1565C0",
            Warning = "#9A4D00",
            Error = "#C62828",
        },
    };
}
