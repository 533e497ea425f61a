namespace Portal.Core.Simulation;

public sealed partial class RideSimulator
{
    private const double Kmh = 1 / 3.6;

    /// <summary>The manoeuvres of a scenario, produced lazily so each can depend on where the ride is now.</summary>
    private IEnumerable<Segment> Plan(RideScenario scenario) => scenario switch
    {
        RideScenario.City => City(dropAtEnd: false),
        RideScenario.Drop => City(dropAtEnd: true),
        RideScenario.Country => Country(crash: false),
        RideScenario.CrashLowside => Country(crash: true),
        RideScenario.Track => Track(crash: false),
        RideScenario.CrashHighside => Track(crash: true),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    private double Duration => _options.DurationSeconds;

    /// <summary>Traffic lights, junction turns (~90°, lean 12–18°), lane changes, gentle bends, potholes.</summary>
    private IEnumerable<Segment> City(bool dropAtEnd)
    {
        // A city loop iteration lasts up to ~60 s and parking, carrying and dropping ~40 s: leave room for both.
        var rideEnd = dropAtEnd ? Math.Min(0.55 * Duration, Duration - 110) : Duration - 25;
        yield return new Stop(Uniform(4, 8));
        while (Time < rideEnd)
        {
            yield return new SpeedChange(Uniform(30, 50) * Kmh, Uniform(1.5, 2.5));
            yield return new Cruise(Uniform(4, 12));
            if (Chance(0.3))
            {
                yield return new Bump("pothole", Uniform(2.0, 2.9), 1);
                yield return new Cruise(Uniform(2, 5));
            }

            var choice = Uniform(0, 1);
            if (choice < 0.4)
            {
                yield return new SpeedChange(Uniform(20, 28) * Kmh, Uniform(2.5, 4));
                yield return new Turn(Sign(), Radians(Uniform(75, 110)), Radians(Uniform(12, 18)));
                yield return new Cruise(Uniform(1.5, 3));
            }
            else if (choice < 0.6)
            {
                foreach (var segment in LaneChange())
                {
                    yield return segment;
                }
            }
            else if (choice < 0.75)
            {
                yield return new Turn(Sign(), Radians(Uniform(15, 30)), Radians(Uniform(5, 10)));
                yield return new Cruise(2);
            }
            else
            {
                yield return new SpeedChange(0, Uniform(3, 4));
                yield return new Stop(Uniform(5, 25));
            }
        }

        yield return new SpeedChange(0, Uniform(3, 4));
        if (dropAtEnd)
        {
            yield return new Stop(Uniform(10, 20));
            yield return new Carry(Uniform(6, 10));
            yield return new DropFall();
        }
    }

    /// <summary>70–95 km/h, bends of 60–120° at 18–28° lean, overtakes, potholes, one emergency stop at ~1.1 g; optionally a lowside.</summary>
    private IEnumerable<Segment> Country(bool crash)
    {
        // Loop iterations last up to ~45 s and the crash needs ~10 s to set up: leave room before the end.
        var crashAt = Math.Max(20, Math.Min(0.75 * Duration, Duration - 75));
        var hardBrakeAt = Uniform(0.3, 0.6) * Duration;
        var hardBrakeDone = false;
        yield return new Stop(Uniform(4, 8));
        yield return new SpeedChange(Uniform(70, 95) * Kmh, Uniform(2, 2.5));
        while (Time < Duration - 30 || crash)
        {
            if (crash && Time >= crashAt)
            {
                yield return new SpeedChange(Uniform(65, 85) * Kmh, 3);
                yield return new Turn(Sign(), Radians(130), Radians(Uniform(38, 44)), "lowside");
                yield break;
            }

            yield return new Cruise(Uniform(5, 15));
            if (crash && Time >= crashAt)
            {
                continue; // straight to the crash bend
            }

            if (!hardBrakeDone && Time >= hardBrakeAt && !crash)
            {
                hardBrakeDone = true;
                yield return new SpeedChange(Uniform(15, 30) * Kmh, 1.1 * Gravity, "hard_braking");
                yield return new SpeedChange(Uniform(70, 90) * Kmh, 2.5);
                continue;
            }

            var choice = Uniform(0, 1);
            if (choice < 0.45)
            {
                yield return new SpeedChange(Uniform(55, 85) * Kmh, Uniform(2.5, 3.5));
                yield return new Turn(Sign(), Radians(Uniform(60, 120)), Radians(Uniform(18, 28)));
                yield return new Cruise(2);
                yield return new SpeedChange(Uniform(70, 95) * Kmh, Uniform(2, 2.5));
            }
            else if (choice < 0.65)
            {
                yield return new Turn(Sign(), Radians(Uniform(15, 30)), Radians(Uniform(6, 12)));
            }
            else if (choice < 0.8)
            {
                var cruising = Speed;
                yield return new SpeedChange(cruising + 20 * Kmh, 3);
                foreach (var segment in LaneChange())
                {
                    yield return segment;
                }

                yield return new Cruise(3);
                foreach (var segment in LaneChange())
                {
                    yield return segment;
                }

                yield return new SpeedChange(cruising, 2.5);
            }
            else if (choice < 0.9)
            {
                yield return new Bump("pothole", Uniform(2.0, 2.9), 1);
            }
        }

        yield return new SpeedChange(0, 3.5);
    }

    /// <summary>Laps of a seeded circuit: 4.5–5 m/s² out of corners, ~1 g braking, 45–60° knee-down lean, kerbs; optionally a highside.</summary>
    private IEnumerable<Segment> Track(bool crash)
    {
        var corners = Enumerable.Range(0, 9).Select(_ => new
        {
            Direction = Sign(),
            Heading = Radians(Uniform(60, 170)),
            Speed = Uniform(60, 140) * Kmh,
            Lean = Radians(Uniform(45, 60)),
            TopSpeed = Uniform(150, 290) * Kmh,
            Kerb = Chance(0.4),
        }).ToArray();
        var crashAt = Math.Max(20, Math.Min(0.75 * Duration, Duration - 60));
        yield return new Stop(Uniform(4, 8));
        yield return new SpeedChange(100 * Kmh, 3);
        for (var i = 0; Time < Duration - 40 || crash; i++)
        {
            var corner = corners[i % corners.Length];
            yield return new SpeedChange(Math.Min(corner.Speed, Speed), Uniform(10, 10.5));
            if (crash && Time >= crashAt)
            {
                yield return new Turn(corner.Direction, Math.Max(corner.Heading, Radians(120)), Radians(40), "highside");
                yield break;
            }

            yield return new Turn(corner.Direction, corner.Heading, corner.Lean);
            if (corner.Kerb)
            {
                yield return new Bump("kerb", 2.0, 3);
            }

            yield return new SpeedChange(corner.TopSpeed, Uniform(4.5, 5));
            yield return new Cruise(Uniform(0.5, 2));
        }

        yield return new SpeedChange(60 * Kmh, 3);
        yield return new Cruise(10);
        yield return new SpeedChange(0, 3);
    }

    private IEnumerable<Segment> LaneChange()
    {
        var direction = Sign();
        var heading = Radians(Uniform(6, 12));
        yield return new Turn(direction, heading, Radians(5));
        yield return new Turn(-direction, heading, Radians(5));
        yield return new Cruise(2);
    }
}
