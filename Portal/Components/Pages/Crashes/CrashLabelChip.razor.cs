using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Crashes;

/// <summary>R&amp;D's verdict on a crash as a chip: unlabelled, confirmed or false alarm.</summary>
public sealed partial class CrashLabelChip
{
    [Parameter] public CrashLabel Label { get; set; }

    public static string TextOf(CrashLabel label) => label switch
    {
        CrashLabel.Confirmed => "Confirmed",
        CrashLabel.FalseAlarm => "False alarm",
        _ => "Unlabelled",
    };

    private static Color ColorOf(CrashLabel label) => label switch
    {
        CrashLabel.Confirmed => Color.Error,
        CrashLabel.FalseAlarm => Color.Success,
        _ => Color.Default,
    };
}
