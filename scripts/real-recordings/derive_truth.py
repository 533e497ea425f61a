#!/usr/bin/env python3
"""Derive the reference values ("truth") of the real third-party recordings.

The truth never comes from the portal's analyzer: it comes from a second, independent source in or
beside each recording (a phone GPS with Doppler speed logged next to a hobby logger, a car's CAN bus
logged next to a phone), cleaned with the documented rules below. Dependency-free (standard library
only) so it runs anywhere Python 3 does.

    python3 scripts/real-recordings/derive_truth.py [--data DIR] [ID ...]

DIR defaults to $PORTAL_REAL_RECORDINGS or ~/.cache/ride-portal/real-recordings. The output is the
JSON that docs/real-recordings.md describes and that the manifest's "truth" objects hold.

Definitions follow ride-format.md section 3 wherever the reference data allows:
  * moving = speed >= 5 km/h; avg_speed_kmh = mean speed over moving time (time-weighted);
  * distance = integral of speed over time (a speed sensor), cross-checked against the track length;
  * max speed = maximum of the speed after a centred moving average over a short window (3 s for 1 Hz
    GPS, 0.5 s for a 10 Hz+ CAN bus), so a single-sample spike cannot make the maximum;
  * max accel / decel = extremes of d(speed)/dt after smoothing the speed over 0.5 s (CAN wheel speed);
  * turns: a maximal stretch in which the smoothed heading rate keeps one sign above 5 deg/s and the
    heading changes by at least 45 degrees (heading from the reference track, see turns_from_heading).
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import sys

EARTH_RADIUS_M = 6371008.8
MOVING_KMH = 5.0


# ---------------------------------------------------------------------------------------------
# Generic helpers


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def centred_mean(ts, values, window_s):
    """Centred moving average over +-window/2 in time (two pointers, irregular sampling allowed)."""
    out, lo, hi, acc = [], 0, 0, 0.0
    n = len(ts)
    for i in range(n):
        while hi < n and ts[hi] <= ts[i] + window_s / 2:
            acc += values[hi]
            hi += 1
        while ts[lo] < ts[i] - window_s / 2:
            acc -= values[lo]
            lo += 1
        out.append(acc / (hi - lo))
    return out


def speed_stats(ts, kmh, smooth_s):
    """Distance (trapezoid integral), max of the smoothed speed, moving time and moving average."""
    dist_m = moving_s = moving_m = 0.0
    for i in range(1, len(ts)):
        step = ts[i] - ts[i - 1]
        mean_ms = (kmh[i] + kmh[i - 1]) / 2 / 3.6
        dist_m += mean_ms * step
        if (kmh[i] + kmh[i - 1]) / 2 >= MOVING_KMH:
            moving_s += step
            moving_m += mean_ms * step
    smoothed = centred_mean(ts, kmh, smooth_s)
    return {
        "distance_km": dist_m / 1000,
        "max_speed_kmh": max(smoothed),
        "moving_time_s": moving_s,
        "avg_speed_kmh": (moving_m / moving_s * 3.6) if moving_s > 0 else None,
    }


def clean_fixes(fixes, max_speed_ms, max_accel_ms2, max_accuracy_m=None):
    """Distinct, plausible GPS fixes.

    fixes: list of dicts with t (s), lat, lon and optionally acc (horizontal accuracy, m).
    Rules, in order: a repeated fix (same position as the previous row) is the logger holding its last
    value and is dropped; a fix without a position (0/0) is dropped; a fix whose accuracy is worse than
    max_accuracy_m is dropped; a fix whose implied speed from the last accepted fix exceeds max_speed_ms,
    or whose implied change of speed exceeds max_accel_ms2, is a jump and is dropped. After five
    rejections in a row the next fix is accepted again, so one bad fix can never lock the track.
    Returns (accepted fixes, number rejected as implausible or inaccurate).
    """
    accepted, rejected, streak = [], 0, 0
    prev_pos, prev_speed = None, 0.0
    for f in fixes:
        pos = (f["lat"], f["lon"])
        if pos == prev_pos or (abs(f["lat"]) < 1e-9 and abs(f["lon"]) < 1e-9):
            continue
        prev_pos = pos
        if max_accuracy_m is not None and f.get("acc") is not None and f["acc"] > max_accuracy_m:
            rejected += 1
            continue
        if accepted:
            last = accepted[-1]
            step = f["t"] - last["t"]
            if step <= 0:
                continue
            v = haversine_m(last["lat"], last["lon"], f["lat"], f["lon"]) / step
            if (v > max_speed_ms or abs(v - prev_speed) / max(step, 1.0) > max_accel_ms2) and streak < 5:
                rejected += 1
                streak += 1
                continue
            prev_speed = v
        streak = 0
        accepted.append(f)
    return accepted, rejected


def track_length_km(fixes):
    return sum(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"]) for a, b in zip(fixes, fixes[1:])) / 1000


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def interpolate(ts, values, t, max_gap_s):
    """Linear interpolation of values at t, or None outside the series or across a gap."""
    lo, hi = 0, len(ts)
    while lo < hi:
        mid = (lo + hi) // 2
        if ts[mid] < t:
            lo = mid + 1
        else:
            hi = mid
    if lo == 0 or lo >= len(ts) or ts[lo] - ts[lo - 1] > max_gap_s:
        return None
    w = (t - ts[lo - 1]) / (ts[lo] - ts[lo - 1])
    return values[lo - 1] + w * (values[lo] - values[lo - 1])


def thin(fixes, every_s):
    """Every fix at least every_s after the previous kept one, plus the last."""
    kept = [fixes[0]]
    for f in fixes[1:]:
        if f["t"] - kept[-1]["t"] >= every_s:
            kept.append(f)
    if kept[-1] is not fixes[-1]:
        kept.append(fixes[-1])
    return kept


def baseline_speeds_kmh(fixes, window_s):
    """Speed at each fix from the displacement between the fixes window_s/2 before and after it."""
    out, n, lo, hi = [], len(fixes), 0, 0
    for i, f in enumerate(fixes):
        while fixes[lo]["t"] < f["t"] - window_s / 2:
            lo += 1
        while hi + 1 < n and fixes[hi + 1]["t"] <= f["t"] + window_s / 2:
            hi += 1
        a, b = fixes[lo], fixes[max(hi, i)]
        span = b["t"] - a["t"]
        out.append(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"]) / span * 3.6 if span >= window_s / 2 else 0.0)
    return out


def turns_from_heading(ts, headings_deg, rate_smooth_s, min_rate=5.0, min_change=45.0):
    """ride-format.md turns from a heading series; returns (left, right) with left = counter-clockwise."""
    unwrapped = [headings_deg[0]]
    for h in headings_deg[1:]:
        d = (h - unwrapped[-1] + 180.0) % 360.0 - 180.0
        unwrapped.append(unwrapped[-1] + d)
    rates = [0.0]
    for i in range(1, len(ts)):
        rates.append((unwrapped[i] - unwrapped[i - 1]) / (ts[i] - ts[i - 1]))
    smooth = centred_mean(ts, rates, rate_smooth_s)
    left = right = 0
    i, n = 0, len(ts)
    while i < n:
        if abs(smooth[i]) <= min_rate:
            i += 1
            continue
        sign = 1 if smooth[i] > 0 else -1
        j = i
        while j + 1 < n and smooth[j + 1] * sign > min_rate:
            j += 1
        change = unwrapped[j] - unwrapped[max(i - 1, 0)]
        if abs(change) >= min_change:
            # Compass headings grow clockwise: a growing heading is a right turn.
            if sign > 0:
                right += 1
            else:
                left += 1
        i = j + 1
    return left, right


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


# ---------------------------------------------------------------------------------------------
# bicycle-arduino-neo6m: reference = the phone's own GPS (phyphox, Doppler speed, accuracy column)


def bicycle_arduino_neo6m(folder):
    header, rows = read_csv(os.path.join(folder, "ArduinoLog.csv"))
    logger_t = [float(r[0]) / 1000 for r in rows]
    neo = [{"t": float(r[0]) / 1000, "lat": float(r[7]), "lon": float(r[8])} for r in rows]
    # A bicycle: no fix implies more than 70 km/h or a speed change above 6 m/s per second.
    neo_clean, neo_rejected = clean_fixes(neo, 70 / 3.6, 6.0)

    _, prow = read_csv(os.path.join(folder, "Location.csv"))
    phone = [
        {"t": float(r[0]), "lat": float(r[1]), "lon": float(r[2]), "v": float(r[4]), "course": float(r[5]), "acc": float(r[6])}
        for r in prow
    ]
    # The phone log has relative seconds, the logger milliseconds since boot: align the two by the
    # offset that puts the logger's cleaned fixes closest to the phone's track (1 s grid, then 0.1 s).
    def misfit(offset):
        err, j, count = 0.0, 0, 0
        for f in neo_clean[::5]:
            tp = f["t"] - offset
            while j + 1 < len(phone) and phone[j + 1]["t"] <= tp:
                j += 1
            if j + 1 >= len(phone) or tp < phone[0]["t"]:
                continue
            a, b = phone[j], phone[j + 1]
            w = (tp - a["t"]) / (b["t"] - a["t"])
            err += min(haversine_m(a["lat"] + w * (b["lat"] - a["lat"]), a["lon"] + w * (b["lon"] - a["lon"]), f["lat"], f["lon"]), 200.0)
            count += 1
        return err / max(count, 1)

    best = min((misfit(o), o) for o in range(-600, 601))[1]
    offset = min((misfit(best + k / 10), best + k / 10) for k in range(-10, 11))[1]
    misfit_m = misfit(offset)

    # Phone fixes inside the logger's time span, accuracy no worse than 20 m (the phone reports 3-16 m
    # while riding; worse values are the first fixes before the receiver settled), jumps removed.
    t0, t1 = logger_t[0] - offset, logger_t[-1] - offset
    good, phone_rejected = clean_fixes([p for p in phone if t0 <= p["t"] <= t1], 70 / 3.6, 6.0, max_accuracy_m=20.0)
    ts = [p["t"] for p in good]

    # Three speed estimates at each phone fix: the phone's speed column, and the displacement over a
    # centred 10 s baseline of each receiver's positions. Position noise inflates displacement speed at
    # walking pace, the phone's speed column reads low below ~15 km/h, and either track has local
    # multipath excursions; the median of the three rides out any one of them.
    phone_pos = baseline_speeds_kmh(good, 10.0)
    neo_t = [f["t"] for f in neo_clean]
    neo_pos = baseline_speeds_kmh(neo_clean, 10.0)
    fused = []
    for p, pv in zip(good, phone_pos):
        nv = interpolate(neo_t, neo_pos, p["t"] + offset, max_gap_s=5.0)
        values = [pv, p["v"] * 3.6] + ([nv] if nv is not None else [])
        fused.append(median(values) if len(values) == 3 else min(values))
    fused_stats = speed_stats(ts, fused, 3.0)
    doppler_stats = speed_stats(ts, [p["v"] * 3.6 for p in good], 3.0)

    # The phone stopped before the logger: the logger's own cleaned track covers the rest.
    tail_start = good[-1]["t"] + offset
    tail = [f for f in neo_clean if f["t"] >= tail_start]
    tail_km = track_length_km(thin(tail, 10.0))
    tail_speeds = baseline_speeds_kmh(tail, 10.0)
    tail_moving = sum(b["t"] - a["t"] for a, b, v in zip(tail, tail[1:], tail_speeds[1:]) if v >= MOVING_KMH)

    # Track lengths: one fix per 10 s, because 1 Hz fixes 4 m apart with 3-5 m scatter add a zig-zag
    # of several per cent, while 10 s steps keep it near 1-2 % and cut only the tightest corners.
    phone_10s = track_length_km(thin(good, 10.0))
    first, last = neo_clean[0], neo_clean[-1]
    moving = [(p["t"], p["course"]) for p, v in zip(good, fused) if v >= 8.0]
    left, right = turns_from_heading([m[0] for m in moving], [m[1] for m in moving], 3.0)
    moving_time = fused_stats["moving_time_s"] + tail_moving
    return {
        "duration_s": logger_t[-1] - logger_t[0],
        "distance_km": phone_10s + tail_km,
        "max_speed_kmh": fused_stats["max_speed_kmh"],
        "avg_speed_kmh": (fused_stats["distance_km"] + tail_km) / (moving_time / 3600),
        "moving_time_s": moving_time,
        "left_turns": left,
        "right_turns": right,
        "crash_detected": False,
        "_evidence": {
            "phone_offset_s": offset,
            "phone_vs_logger_mean_misfit_m": round(misfit_m, 1),
            "phone_fixes_used": len(good),
            "phone_fixes_rejected": phone_rejected,
            "start_to_end_straight_line_km": haversine_m(first["lat"], first["lon"], last["lat"], last["lon"]) / 1000,
            "distance_km_phone_track_1s": track_length_km(good) + tail_km,
            "distance_km_phone_track_10s": phone_10s + tail_km,
            "distance_km_phone_track_20s": track_length_km(thin(good, 20.0)) + tail_km,
            "distance_km_logger_track_10s": track_length_km(thin(neo_clean, 10.0)),
            "distance_km_fused_speed": fused_stats["distance_km"] + tail_km,
            "distance_km_phone_speed_column": doppler_stats["distance_km"] + tail_km,
            "max_speed_kmh_phone_speed_column_3s": doppler_stats["max_speed_kmh"],
            "p99_fused_speed_kmh": sorted(fused)[int(0.99 * len(fused))],
            "logger_tail_after_phone_stopped_s": logger_t[-1] - tail_start,
            "logger_tail_km": tail_km,
            "logger_fixes_distinct": len(neo_clean) + neo_rejected,
            "logger_fixes_rejected": neo_rejected,
        },
    }


# ---------------------------------------------------------------------------------------------
# car-sensorlog-iphone-can: reference = the car's CAN bus (wheel speed, odometer) logged alongside


def car_sensorlog_iphone_can(folder):
    _, rows = read_csv(os.path.join(folder, "dataset1_car.csv"))
    ts = [float(r[1]) for r in rows]
    kmh = [float(r[5]) * 1.609344 for r in rows]
    odo_km = (float(rows[-1][4]) - float(rows[0][4])) * 1.609344
    stats = speed_stats(ts, kmh, 0.5)
    smooth = centred_mean(ts, [v / 3.6 for v in kmh], 0.5)
    accel = []
    for i in range(len(ts)):
        lo, hi = i, i
        while lo > 0 and ts[i] - ts[lo] < 0.25:
            lo -= 1
        while hi < len(ts) - 1 and ts[hi] - ts[i] < 0.25:
            hi += 1
        accel.append((smooth[hi] - smooth[lo]) / (ts[hi] - ts[lo]))
    can_long_g = [float(r[10]) for r in rows]
    can_long = centred_mean(ts, [g * 9.80665 for g in can_long_g], 0.5)

    _, prow = read_csv(os.path.join(folder, "dataset1_phone.csv"))

    def wall(text):
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()

    phone_first, phone_last = wall(prow[0][0]), wall(prow[-1][0])

    # Heading from the CAN logger's GPS track, taken each time the car has moved 5 m (finer steps
    # are position noise), over stretches at >= 8 km/h.
    heads_t, heads = [], []
    anchor = None
    for t, r, v in zip(ts, rows, kmh):
        lat, lon = float(r[2]), float(r[3])
        if v < 8.0:
            anchor = None
            continue
        if anchor is None:
            anchor = (t, lat, lon)
            continue
        if haversine_m(anchor[1], anchor[2], lat, lon) >= 5.0:
            heads_t.append((anchor[0] + t) / 2)
            heads.append(bearing_deg(anchor[1], anchor[2], lat, lon))
            anchor = (t, lat, lon)
    left, right = turns_from_heading(heads_t, heads, 1.0)
    return {
        "duration_s": phone_last - phone_first,
        "distance_km": stats["distance_km"],
        "max_speed_kmh": stats["max_speed_kmh"],
        "avg_speed_kmh": stats["avg_speed_kmh"],
        "moving_time_s": stats["moving_time_s"],
        "max_accel_ms2": max(accel),
        "max_decel_ms2": -min(accel),
        "left_turns": left,
        "right_turns": right,
        "crash_detected": False,
        "_evidence": {
            "can_rows": len(rows),
            "can_span_s": ts[-1] - ts[0],
            "can_odometer_km": odo_km,
            "can_odometer_resolution_km": 0.01 * 1.609344,
            "can_longitudinal_accel_column_max_ms2": max(can_long),
            "can_longitudinal_accel_column_min_ms2": min(can_long),
            "phone_rows": len(prow),
        },
    }


# ---------------------------------------------------------------------------------------------
# motogym-phone-*: a motorcycle-gymkhana phone logger (Android). Reference = the phone's own GPS
# fixes after the cleaning rules (its speed column reads 0 throughout). The files hold one row per
# sensor event: many rows share a millisecond and a few are out of order, which the publisher's own
# loader handles by sorting and averaging per millisecond.


def motogym_fixes(folder, name):
    header, rows = read_csv(os.path.join(folder, name))
    col = {h.strip(): i for i, h in enumerate(header)}
    t = [float(r[0]) / 1000 for r in rows]
    fixes = [
        {"t": float(r[0]) / 1000, "lat": float(r[col["latgps"]]), "lon": float(r[col["longps"]]), "acc": float(r[col["accgps"]])}
        for r in rows
    ]
    # A row older than one already seen is a stale event (one is 5 s late): skipped, as a reader must.
    in_order, latest = [], -math.inf
    for f in fixes:
        if f["t"] >= latest:
            in_order.append(f)
            latest = f["t"]
    fixes = in_order
    # Accuracy worse than 20 m is the receiver's own flag (the glitch fixes report 2349 m); 0/0 is no fix.
    clean, rejected = clean_fixes(fixes, 70 / 3.6, 6.0, max_accuracy_m=20.0)
    raw = [f for f in fixes if abs(f["lat"]) > 1e-9 or abs(f["lon"]) > 1e-9]
    raw_steps = [haversine_m(a["lat"], a["lon"], b["lat"], b["lon"]) for a, b in zip(raw, raw[1:]) if (a["lat"], a["lon"]) != (b["lat"], b["lon"])]
    speeds = baseline_speeds_kmh(clean, 3.0)
    evidence = {
        "rows": len(rows),
        "rows_sharing_a_millisecond": sum(1 for a, b in zip(t, t[1:]) if b == a),
        "rows_going_backwards": sum(1 for a, b in zip(t, t[1:]) if b < a),
        "speed_column_max": max(float(r[col["speedgps"]]) for r in rows),
        "rows_without_fix": sum(1 for f in fixes if abs(f["lat"]) < 1e-9 and abs(f["lon"]) < 1e-9),
        "fixes_accepted": len(clean),
        "fixes_rejected": rejected,
        "worst_reported_accuracy_m": max(f["acc"] for f in raw),
        "track_km_clean_1s": track_length_km(clean),
        "track_km_clean_10s": track_length_km(thin(clean, 10.0)),
        "start_to_end_m": haversine_m(clean[0]["lat"], clean[0]["lon"], clean[-1]["lat"], clean[-1]["lon"]),
        "max_speed_kmh_clean_3s": max(speeds),
        "track_km_raw_uncleaned": sum(raw_steps) / 1000,
    }
    return t[0], t[-1], clean, speeds, evidence


def motogym_phone_at_rest_gps_glitch(folder):
    t0, t1, clean, speeds, evidence = motogym_fixes(folder, "20161002_115147_542_90.csv")
    return {
        "duration_s": t1 - t0,
        "distance_km": track_length_km(clean),
        "max_speed_kmh": max(speeds),
        "moving_time_s": 0.0,
        "left_turns": 0,
        "right_turns": 0,
        "crash_detected": False,
        "_evidence": evidence,
    }


def motogym_phone_walk_gps_glitch(folder):
    t0, t1, clean, speeds, evidence = motogym_fixes(folder, "20161002_120303_426.csv")
    return {
        "duration_s": t1 - t0,
        "distance_km": track_length_km(clean),
        "max_speed_kmh": max(speeds),
        "crash_detected": False,
        "_evidence": evidence,
    }


# ---------------------------------------------------------------------------------------------
# car-sensorlog-autocross-no-gps-fix: SensorLog without a single GPS fix. Reference = the file's own
# validity flags (iOS reports a negative horizontal accuracy for an invalid location).


def car_sensorlog_autocross_no_gps_fix(folder):
    with open(os.path.join(folder, "2023-06-16_18_50_04_my_iOS_device.csv"), newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    wall = [dt.datetime.fromisoformat(r["loggingTime(txt)"]).timestamp() for r in rows]
    g = [
        math.sqrt(sum(float(r[f"accelerometerAcceleration{a}(G)"]) ** 2 for a in "XYZ"))
        for r in rows
    ]
    valid_fixes = sum(1 for r in rows if float(r["locationHorizontalAccuracy(m)"]) >= 0 and float(r["locationLatitude(WGS84)"]) != 0)
    return {
        "duration_s": wall[-1] - wall[0],
        "crash_detected": False,
        "_evidence": {
            "rows": len(rows),
            "rows_with_a_valid_fix": valid_fixes,
            "speed_column_values": sorted({r["locationSpeed(m/s)"] for r in rows}),
            "horizontal_accuracy_values": sorted({r["locationHorizontalAccuracy(m)"] for r in rows}),
            "max_total_accel_g": max(g),
            "min_total_accel_g": min(g),
            "max_abs_yaw_rate_dps": max(abs(float(r["gyroRotationZ(rad/s)"])) for r in rows) * 180 / math.pi,
        },
    }


# ---------------------------------------------------------------------------------------------
# motorcycle-track-session-raw-imu-counts: a motorcycle track-day logger (ESP32, u-blox GPS) whose
# IMU columns are raw sensor counts. Expected today: a refusal (see the manifest); the GPS truth is
# derived for the day a device profile can state column names and a count scale. Reference = the
# receiver's Doppler speed column (km/h; it matches the track's displacement speed to 0.2 %) and its
# track.


def motorcycle_track_session_raw_imu_counts(folder):
    header, rows = read_csv(os.path.join(folder, "104138.csv"))
    col = {h: i for i, h in enumerate(header)}
    t = [float(r[col["timestamp"]]) for r in rows]
    kmh = [float(r[col["speed"]]) for r in rows]
    stats = speed_stats(t, kmh, 1.0)
    fixes, prev = [], None
    for r in rows:
        pos = (r[col["latitude"]], r[col["longitude"]])
        if pos != prev:
            fixes.append({"t": float(r[col["timestamp"]]), "lat": float(pos[0]), "lon": float(pos[1]), "v": float(r[col["speed"]])})
            prev = pos
    # Heading from the track every 5 m while >= 20 km/h (finer steps are position noise).
    heads_t, heads, anchor = [], [], None
    for f in fixes:
        if f["v"] < 20.0:
            anchor = None
            continue
        if anchor is None:
            anchor = f
            continue
        if haversine_m(anchor["lat"], anchor["lon"], f["lat"], f["lon"]) >= 5.0:
            heads_t.append((anchor["t"] + f["t"]) / 2)
            heads.append(bearing_deg(anchor["lat"], anchor["lon"], f["lat"], f["lon"]))
            anchor = f
    left, right = turns_from_heading(heads_t, heads, 1.0)
    # Kinematic lean, lean = atan(v * yaw rate / g) (ride-format.md), from the GPS heading rate over 1 s:
    # a steady-state estimate that ignores tyre width and the rider's body, good to a few degrees.
    unwrapped = [heads[0]]
    for h in heads[1:]:
        unwrapped.append(unwrapped[-1] + (h - unwrapped[-1] + 180.0) % 360.0 - 180.0)
    rates = [0.0] + [(unwrapped[i] - unwrapped[i - 1]) / (heads_t[i] - heads_t[i - 1]) for i in range(1, len(heads_t))]
    leans = []
    for ht, rate in zip(heads_t, centred_mean(heads_t, rates, 1.0)):
        v = interpolate(t, kmh, ht, max_gap_s=2.0)
        if v is not None:
            leans.append(math.degrees(math.atan(v / 3.6 * math.radians(rate) / 9.80665)))
    raw_rest = [math.sqrt(sum(float(rows[i][col[k]]) ** 2 for k in ("imu_x", "imu_y", "imu_z"))) for i in range(5)]
    return {
        "duration_s": t[-1] - t[0],
        "distance_km": stats["distance_km"],
        "max_speed_kmh": stats["max_speed_kmh"],
        "avg_speed_kmh": stats["avg_speed_kmh"],
        "moving_time_s": stats["moving_time_s"],
        "left_turns": left,
        "right_turns": right,
        "crash_detected": False,
        "_evidence": {
            "rows": len(rows),
            "longest_gap_s": max(b - a for a, b in zip(t, t[1:])),
            "distinct_fixes": len(fixes),
            "track_km_1s": track_length_km(thin(fixes, 1.0)),
            "max_speed_kmh_3s": speed_stats(t, kmh, 3.0)["max_speed_kmh"],
            "kinematic_lean_right_deg": max(leans),
            "kinematic_lean_left_deg": -min(leans),
            "imu_counts_at_rest": raw_rest[0],
            "imu_counts_max_abs": max(abs(float(r[col[k]])) for r in rows for k in ("imu_x", "imu_y", "imu_z")),
            "gyro_counts_max_abs": max(abs(float(r[col[k]])) for r in rows for k in ("gyro_x", "gyro_y", "gyro_z")),
        },
    }


RECORDINGS = {
    "bicycle-arduino-neo6m": bicycle_arduino_neo6m,
    "car-sensorlog-iphone-can": car_sensorlog_iphone_can,
    "motogym-phone-at-rest-gps-glitch": motogym_phone_at_rest_gps_glitch,
    "motogym-phone-walk-gps-glitch": motogym_phone_walk_gps_glitch,
    "car-sensorlog-autocross-no-gps-fix": car_sensorlog_autocross_no_gps_fix,
    "motorcycle-track-session-raw-imu-counts": motorcycle_track_session_raw_imu_counts,
}


def rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get("PORTAL_REAL_RECORDINGS") or os.path.expanduser("~/.cache/ride-portal/real-recordings"))
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args()
    out = {}
    for rid in args.ids or sorted(RECORDINGS):
        folder = os.path.join(args.data, rid)
        if not os.path.isdir(folder):
            print(f"{rid}: not present in {args.data}", file=sys.stderr)
            continue
        out[rid] = rounded(RECORDINGS[rid](folder))
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
