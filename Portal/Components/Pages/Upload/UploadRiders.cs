using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Upload;

/// <summary>Whom the caller may upload for, as the upload API decides it (<see cref="RideAccess.MayUploadForAsync"/>).</summary>
public static class UploadRiders
{
    /// <summary>Admins pick from this many riders at most (the select is not a search).</summary>
    public const int MaxChoices = 500;

    /// <param name="teamOnly">Bulk uploads: only other riders (professional team members), not the caller.</param>
    public static async Task<IReadOnlyList<UploadRider>> ForAsync(CatalogDbContext db, RideCaller caller, bool teamOnly, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        IQueryable<RiderProfile> candidates = caller.IsAdmin
            ? db.Riders.Where(r => !teamOnly || r.Category == RiderCategory.Professional)
            : caller.IsTechnician
                ? db.Riders.Where(r => r.TechnicianId == me)
                : db.Riders.Where(r => false);
        var riders = await candidates.AsNoTracking().Where(r => r.UserId != me).OrderBy(r => r.Email).Take(MaxChoices).ToListAsync(cancellationToken);

        var choices = new List<UploadRider>();
        if (!teamOnly && await db.Riders.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == me, cancellationToken) is { } self)
        {
            choices.Add(new UploadRider(self.UserId, $"Me ({self.Email})"));
        }

        foreach (var rider in riders)
        {
            // The API's rule, not a copy of it: a pending or private team member is left out here exactly as the API would refuse them.
            if (await db.MayUploadForAsync(caller, rider.UserId, cancellationToken))
            {
                choices.Add(new UploadRider(rider.UserId, Label(rider)));
            }
        }

        return choices;
    }

    public static string Label(RiderProfile rider) =>
        string.IsNullOrWhiteSpace(rider.DisplayName) || string.Equals(rider.DisplayName, rider.Email, StringComparison.OrdinalIgnoreCase)
            ? rider.Email
            : $"{rider.DisplayName} ({rider.Email})";
}
