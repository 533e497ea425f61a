using Bunit;
using Portal.Components.Pages.Upload;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Tests.Ui.Upload;

/// <summary>
/// The upload component's state machine, driven as the browser module drives it (its [JSInvokable]
/// callbacks), with strict JS interop: every call the component makes into the module is planned and checked.
/// </summary>
[Trait("Category", "Ui")]
public sealed class RideUploaderTests : UploadUiTestContext
{
    private readonly BunitJSModuleInterop module;

    public RideUploaderTests()
    {
        JSInterop.Mode = JSRuntimeMode.Strict;
        module = JSInterop.SetupModule(RideUploader.ModulePath);
        foreach (var function in new[] { "init", "start", "cancel", "forget", "dispose" })
        {
            module.SetupVoid(function, _ => true).SetVoidResult();
        }

        SignIn("rider@demo.local", PortalRoles.Rider);
    }

    private IRenderedComponent<RideUploader> RenderUploader() =>
        Render<RideUploader>(p => p.Add(x => x.Riders, [new UploadRider(UserId, "Me (rider@demo.local)")]));

    private static IReadOnlyList<PickedFile> Files(params (string Key, string Name, long Size)[] files) =>
        files.Select(f => new PickedFile(f.Key, f.Name, f.Size)).ToList();

    private static string Status(IRenderedComponent<RideUploader> cut, int index = 0) =>
        cut.FindAll("[data-testid=upload-status]")[index].TextContent.Trim();

    [Fact]
    public void Init_HandsTheModuleTheChunkSizeCappedByThePartLimit_AndTheAntiforgeryToken()
    {
        RenderUploader();

        var init = module.VerifyInvoke("init");
        var options = init.Arguments[4]!;
        Assert.Equal(Limits.MaxPartBytes, (long)options.GetType().GetProperty("chunkBytes")!.GetValue(options)!);
        Assert.Equal("test-antiforgery-token", options.GetType().GetProperty("antiforgeryToken")!.GetValue(options));
        Assert.Equal("RequestVerificationToken", options.GetType().GetProperty("antiforgeryHeader")!.GetValue(options));
    }

    [Fact]
    public async Task PickedFile_StartsAtOnceForTheRider_AndProgressShowsPercentSpeedAndTimeLeft()
    {
        var cut = RenderUploader();

        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("f1", "ride.csv", 8_000))));
        var start = module.VerifyInvoke("start");
        Assert.Equal(["f1", UserId.ToString(), "Web"], start.Arguments.Skip(1));

        await cut.InvokeAsync(() => cut.Instance.Progress("f1", 2_000, 1_000));

        var item = Assert.Single(cut.Instance.Items);
        Assert.Equal(UploadPhase.Uploading, item.Phase);
        Assert.Equal("25 %", cut.Find("[data-testid=upload-percent]").TextContent.Trim());
        Assert.Equal("1000 bytes/s", cut.Find("[data-testid=upload-speed]").TextContent.Trim());
        Assert.Equal("6 s left", cut.Find("[data-testid=upload-time-left]").TextContent.Trim());

        await cut.InvokeAsync(() => cut.Instance.Resuming("f1", 2));
        Assert.Contains("resuming", Status(cut), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(cut.FindAll("[data-testid=upload-time-left]"));
    }

    [Fact]
    public async Task FileOverTheLimit_IsRefusedBeforeSending_WithTheLimitShown()
    {
        var cut = RenderUploader();

        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("big", "huge.csv", 20_000), ("ok", "small.csv", 500))));

        var big = cut.Instance.Items.Single(i => i.Key == "big");
        Assert.Equal(UploadPhase.TooLarge, big.Phase);
        Assert.Equal("big", module.VerifyInvoke("forget").Arguments[1]);
        var started = Assert.Single(module.Invocations["start"]);
        Assert.Equal("ok", started.Arguments[1]);
        var problem = cut.Find("[data-testid=upload-problem]").TextContent;
        Assert.Contains("9.77 KiB", problem, StringComparison.Ordinal); // the 10 000-byte limit
        Assert.Contains("file_too_large", problem, StringComparison.Ordinal);
        Assert.Equal("9.77 KiB", cut.Find("[data-testid=upload-limit]").TextContent.Trim());
    }

    [Fact]
    public async Task Cancel_TellsTheModule_AndLateProgressIsIgnored()
    {
        var cut = RenderUploader();
        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("f1", "ride.csv", 8_000))));
        await cut.InvokeAsync(() => cut.Instance.Progress("f1", 4_000, 1_000));

        await cut.Find("[data-testid=upload-cancel]").ClickAsync(new());
        await cut.InvokeAsync(() => cut.Instance.Progress("f1", 6_000, 1_000));
        await cut.InvokeAsync(() => cut.Instance.Completed("f1", new UploadOutcome(Guid.NewGuid(), false, "Queued", 0, null, null)));

        Assert.Equal("f1", module.VerifyInvoke("cancel").Arguments[1]);
        var item = Assert.Single(cut.Instance.Items);
        Assert.Equal(UploadPhase.Cancelled, item.Phase);
        Assert.Equal(4_000, item.SentBytes);
        Assert.Null(item.RideId);
        Assert.Equal("Cancelled", Status(cut));
        Assert.Empty(cut.FindAll("[data-testid=upload-cancel]"));
    }

    [Fact]
    public async Task Duplicate_SaysAlreadyUploaded_AndLinksTheEarlierRide()
    {
        var cut = RenderUploader();
        var earlier = Guid.NewGuid();
        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("f1", "ride.csv", 8_000))));

        await cut.InvokeAsync(() => cut.Instance.Completed("f1", new UploadOutcome(earlier, true, "Analyzed", 100, null, null)));

        Assert.Equal(UploadPhase.Duplicate, cut.Instance.Items[0].Phase);
        Assert.Equal("Already uploaded: Analysed", Status(cut));
        Assert.Equal($"/rides/{earlier}", cut.Find("[data-testid=upload-ride-link]").GetAttribute("href"));
        Assert.Equal("100 %", cut.Find("[data-testid=upload-percent]").TextContent.Trim());
    }

    [Fact]
    public async Task RefusedUpload_ShowsTheServersMessageAndCode_AndOtherFilesCarryOn()
    {
        var cut = RenderUploader();
        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("bad", "empty.csv", 10), ("good", "ride.csv", 8_000))));

        await cut.InvokeAsync(() => cut.Instance.Refused("bad", "empty_file", "The file is empty."));
        await cut.InvokeAsync(() => cut.Instance.Progress("good", 8_000, 2_000));

        Assert.Equal(UploadPhase.Refused, cut.Instance.Items[0].Phase);
        Assert.Equal(UploadPhase.Uploading, cut.Instance.Items[1].Phase);
        var problem = Assert.Single(cut.FindAll("[data-testid=upload-problem]")).TextContent;
        Assert.Contains("The file is empty.", problem, StringComparison.Ordinal);
        Assert.Contains("empty_file", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueuedRide_IsWatchedUntilAnalysed_ThenLinksTheRide()
    {
        var rideId = Guid.NewGuid();
        await using (var db = await Catalog.CreateDbContextAsync())
        {
            db.Rides.Add(new Ride { Id = rideId, OwnerId = UserId, UploaderId = UserId, FileName = "ride.csv", Sha256 = "00", RawKey = "raw/x", UploadedAt = Clock.GetUtcNow(), Status = RideStatus.Queued });
            await db.SaveChangesAsync();
        }

        var cut = RenderUploader();
        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("f1", "ride.csv", 8_000))));
        await cut.InvokeAsync(() => cut.Instance.Completed("f1", new UploadOutcome(rideId, false, "Queued", 0, null, null)));
        Assert.Equal("Queued for analysis", Status(cut));
        Assert.Empty(cut.FindAll("[data-testid=upload-ride-link]"));

        await SetRideAsync(rideId, RideStatus.Processing, 40);
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("Processing 40 %", Status(cut)));

        await SetRideAsync(rideId, RideStatus.Analyzed, 100);
        Clock.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Assert.Equal("Analysed", Status(cut)));
        Assert.Equal($"/rides/{rideId}", cut.Find("[data-testid=upload-ride-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task RideRejectedByTheAnalysis_ShowsTheReasonAndCode()
    {
        var cut = RenderUploader();
        await cut.InvokeAsync(() => cut.Instance.FilesPicked(Files(("f1", "notes.txt", 60))));

        await cut.InvokeAsync(() => cut.Instance.Completed("f1", new UploadOutcome(Guid.NewGuid(), false, "Failed", 0, "no_time_column", "No time column was found.")));

        Assert.Equal("Rejected by the analysis", Status(cut));
        var problem = cut.Find("[data-testid=upload-problem]").TextContent;
        Assert.Contains("No time column was found.", problem, StringComparison.Ordinal);
        Assert.Contains("no_time_column", problem, StringComparison.Ordinal);
    }

    private async Task SetRideAsync(Guid rideId, RideStatus status, int progress)
    {
        await using var db = await Catalog.CreateDbContextAsync();
        var ride = await db.Rides.FindAsync(rideId);
        ride!.Status = status;
        ride.ProgressPercent = progress;
        await db.SaveChangesAsync();
    }
}
