namespace Portal.Core.Analytics.Metrics;

/// <summary>Cheaper stand-ins for library functions on the per-sample path, exact far beyond what the sensors tell.</summary>
internal static class FastMath
{
    /// <summary>
    /// Arctangent in radians, within 2·10⁻⁸ rad (≈ 10⁻⁶ °) of <see cref="Math.Atan"/>: the odd minimax
    /// polynomial of Abramowitz &amp; Stegun 4.4.49 on [0, 1], and atan x = π/2 − atan(1/x) beyond.
    /// A polynomial costs a few multiply-adds where the library call costs several times that.
    /// </summary>
    public static double Atan(double x)
    {
        var magnitude = Math.Abs(x);
        var inverted = magnitude > 1;
        var z = inverted ? 1 / magnitude : magnitude;
        var z2 = z * z;
        var p = -0.0040540580;
        p = (p * z2) + 0.0218612288;
        p = (p * z2) - 0.0559098861;
        p = (p * z2) + 0.0964200441;
        p = (p * z2) - 0.1390853351;
        p = (p * z2) + 0.1994653599;
        p = (p * z2) - 0.3332985605;
        p = (p * z2) + 0.9999993329;
        var angle = p * z;
        if (inverted)
        {
            angle = (Math.PI / 2) - angle;
        }

        return double.IsNaN(x) ? double.NaN : Math.CopySign(angle, x);
    }
}
