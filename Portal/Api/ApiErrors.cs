using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Portal.Api;

/// <summary>
/// Every API error is a ProblemDetails carrying a stable machine-readable <c>code</c> extension;
/// clients branch on the code, never on the human-readable title.
/// </summary>
public static class ApiErrors
{
    public const string CodeKey = "code";

    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string InvalidRequest = "invalid_request";
    public const string AccountRejected = "account_rejected";
    public const string Internal = "internal_error";

    /// <summary>The code for a bare status (401, 403, 404, ... written by middleware).</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        >= 500 => Internal,
        _ => InvalidRequest,
    };

    public static ProblemHttpResult Problem(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?> { [CodeKey] = code });

    /// <summary>Identity's refusals (weak password, taken email ...) as a validation problem keyed by Identity's error codes.</summary>
    public static ValidationProblem AccountRejectedProblem(IdentityResult result) =>
        TypedResults.ValidationProblem(
            result.Errors.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()),
            title: "The account was not created.",
            extensions: new Dictionary<string, object?> { [CodeKey] = AccountRejected });
}
