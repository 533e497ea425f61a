namespace Portal.Api;

public static class RidePipelineEndpoints
{
    /// <summary>Rides, uploads and crashes: the thesis's calculate / retrieve / list gateway.</summary>
    public static IEndpointRouteBuilder MapRidePipelineApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
