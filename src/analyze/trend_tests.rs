//! Tests for the trend module on deterministic synthetic series.

use super::*;

const DAY: usize = 24;

/// Tiny linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }

    /// Poisson draw by Knuth's multiplication method (small rates only).
    fn poisson(&mut self, rate: f64) -> u32 {
        let limit = (-rate).exp();
        let (mut k, mut p) = (0, self.uniform());
        while p > limit {
            k += 1;
            p *= self.uniform();
        }
        k
    }
}

/// Poisson counts around `rate` per hour.
fn steady(rate: f64, hours: usize, seed: u64) -> Vec<u32> {
    let mut rng = Lcg(seed);
    (0..hours).map(|_| rng.poisson(rate)).collect()
}

/// Day/night rate: 1 at night, 5 by day, 12 in the evening (18:00–22:59).
fn seasonal_rate(hour_of_day: usize) -> f64 {
    match hour_of_day {
        0..=6 => 1.0,
        18..=22 => 12.0,
        _ => 5.0,
    }
}

/// Poisson counts following `seasonal_rate`; index 0 is midnight.
fn seasonal(hours: usize, seed: u64) -> Vec<u32> {
    let mut rng = Lcg(seed);
    (0..hours)
        .map(|h| rng.poisson(seasonal_rate(h % DAY)))
        .collect()
}

/// Daily totals spread evenly (Bresenham) over the 24 hours of each day.
fn spread_days(daily: &[u32]) -> Vec<u32> {
    daily
        .iter()
        .flat_map(|&total| (0..DAY as u32).map(move |h| (h + 1) * total / 24 - h * total / 24))
        .collect()
}

fn hour(counts: &[u32]) -> Option<Burst> {
    detect(counts, Window::Hour, &BurstConfig::default())
}

fn day(counts: &[u32]) -> Option<Burst> {
    detect(counts, Window::Day, &BurstConfig::default())
}

#[test]
fn steady_background_never_trends() {
    for seed in 1..=5 {
        let counts = steady(4.0, 15 * DAY, seed);
        // Every hour of the last two days, as if monitored live.
        for end in 13 * DAY..=counts.len() {
            let found = detect_any(&counts[..end], &BurstConfig::default());
            assert!(found.is_empty(), "seed {seed}, end {end}: {found:?}");
        }
    }
}

#[test]
fn seasonal_evening_peak_is_not_a_trend() {
    for seed in 1..=5 {
        let counts = seasonal(15 * DAY, seed);
        for end in 13 * DAY..=counts.len() {
            let found = detect_any(&counts[..end], &BurstConfig::default());
            assert!(found.is_empty(), "seed {seed}, end {end}: {found:?}");
        }
        // The evening peak of the last day, alone.
        let peak = &counts[..14 * DAY + 21];
        assert!(peak[peak.len() - 1] >= 5, "test series has a real peak");
        assert_eq!(hour(peak), None);
    }
}

#[test]
fn single_hour_spike_trends_at_last_index() {
    let mut counts = vec![2; 15 * DAY];
    counts.push(25);
    let burst = hour(&counts).expect("spike of 25 over 2/h is a burst");
    assert_eq!(burst.window, Window::Hour);
    assert_eq!(burst.current, 25);
    assert_eq!(burst.rising_since, counts.len() - 1);
    assert!((burst.expected - 2.0).abs() < 1e-9);
    assert!(burst.ratio >= 3.0 && burst.score >= 3.0);
    assert_eq!(day(&counts), None, "one hour does not make the day");
}

#[test]
fn small_spike_is_below_min_support() {
    let mut counts = vec![2; 15 * DAY];
    counts.push(3);
    assert!(detect_any(&counts, &BurstConfig::default()).is_empty());
    // Even from silence, 3 mentions are not a trend: only min_support stops it.
    let mut quiet = vec![0; 15 * DAY];
    quiet.push(3);
    assert_eq!(hour(&quiet), None);
    let lax = BurstConfig {
        min_support: 3,
        ..BurstConfig::default()
    };
    assert!(detect(&quiet, Window::Hour, &lax).is_some());
}

#[test]
fn four_hour_spike_reports_its_start() {
    let mut counts = vec![2; 15 * DAY];
    counts.extend([20, 22, 25, 24]);
    let burst = hour(&counts).expect("burst");
    assert_eq!(burst.current, 24);
    assert_eq!(burst.rising_since, counts.len() - 4);
}

#[test]
fn slow_rise_trends_daily_not_hourly() {
    let mut daily = vec![20; 12];
    daily.extend([35, 55, 80]);
    let counts = spread_days(&daily);
    assert_eq!(counts.len(), 15 * DAY);
    let burst = day(&counts).expect("day-window burst");
    assert_eq!(burst.current, 80);
    assert!(burst.ratio >= 3.0, "{burst:?}");
    // The rise began with the 35/day day, three days back.
    assert_eq!(burst.rising_since, counts.len() - 3 * DAY);
    for end in 14 * DAY..=counts.len() {
        assert_eq!(hour(&counts[..end]), None, "end {end}");
    }
}

#[test]
fn brand_new_key() {
    let burst = hour(&[0, 0, 12]).expect("12 mentions of a new key");
    assert_eq!(burst.current, 12);
    assert_eq!(burst.rising_since, 2);
    assert!((burst.expected - 0.5).abs() < 1e-9);
    assert!(detect_any(&[0, 0, 2], &BurstConfig::default()).is_empty());
}

#[test]
fn empty_and_zero_series_are_quiet_and_finite() {
    let zeros = vec![0; 400];
    for counts in [&[][..], &[0][..], &zeros[..]] {
        assert!(detect_any(counts, &BurstConfig::default()).is_empty());
    }
    // With every gate open, results must still be finite.
    let open = BurstConfig {
        min_support: 0,
        min_ratio: 0.0,
        min_z: f64::NEG_INFINITY,
        hour_baseline_hours: 0,
        day_baseline_days: 0,
        prior: f64::NAN,
    };
    for counts in [&[0][..], &zeros[..], &[u32::MAX; 30][..]] {
        for b in detect_any(counts, &open) {
            assert!(b.expected.is_finite() && b.ratio.is_finite() && b.score.is_finite());
            assert!(b.rising_since < counts.len());
        }
    }
    assert!(detect_any(&[], &open).is_empty());
}

/// Over-dispersed but steady counts: Poisson(2), with a flare of 8–11 in
/// about one hour in six, so the variance is about three times the mean.
fn flaring(hours: usize, seed: u64) -> Vec<u32> {
    let mut rng = Lcg(seed);
    (0..hours)
        .map(|_| {
            if rng.uniform() < 1.0 / 6.0 {
                8 + (rng.uniform() * 4.0) as u32
            } else {
                rng.poisson(2.0)
            }
        })
        .collect()
}

#[test]
fn noisy_but_steady_series_does_not_trend() {
    let lax = BurstConfig {
        min_ratio: 0.0,
        min_z: f64::NEG_INFINITY,
        ..BurstConfig::default()
    };
    for seed in 1..=5 {
        let mut counts = flaring(15 * DAY, seed);
        for end in 13 * DAY..=counts.len() {
            let found = detect_any(&counts[..end], &BurstConfig::default());
            assert!(found.is_empty(), "seed {seed}, end {end}: {found:?}");
        }
        // An ordinary flare of 11: a Poisson variance would call it a trend.
        if let Some(last) = counts.last_mut() {
            *last = 11;
        }
        assert_eq!(hour(&counts), None, "seed {seed}");
        let b = detect(&counts, Window::Hour, &lax).expect("gates open");
        let poisson_z = (11.0 - b.expected) / b.expected.sqrt();
        assert!(b.score < 3.0 && poisson_z > 3.0, "seed {seed}: {b:?}");
    }
}
