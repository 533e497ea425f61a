namespace Portal.Components.Layout;

public sealed partial class MainLayout
{
    private bool drawerOpen = true;

    /// <summary>True once the circuit is connected (after-render runs only interactively); browser tests wait for it.</summary>
    private bool interactive;

    private void ToggleDrawer() => drawerOpen = !drawerOpen;

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }
}
