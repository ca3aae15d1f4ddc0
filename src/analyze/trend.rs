//! Rising-trend (burst) detection in hourly count series.
//!
//! Input is a series of hourly counts, oldest first, whose last element is the
//! most recent hour: mentions of a keyword, complaints in a category, reports
//! of a police unit, copies of a story. The question is "is this rising against
//! its *own* normal level?", so that leadership hears about it before it is a
//! crisis, while a steady background, day/night seasonality or 1 → 3 mentions
//! stay quiet.
//!
//! # Method
//!
//! An over-dispersed (quasi-Poisson) z-score against a seasonal baseline, with
//! a minimum-count and a minimum-ratio gate. This is the scheme of the
//! Farrington algorithm for outbreak detection (Farrington et al., J. R. Stat.
//! Soc. A 159, 1996: quasi-Poisson threshold, baseline from the same season
//! of previous periods, no alarm below a minimum count) and of the CDC EARS
//! C-family (Hutwagner et al., 2003: current count against the mean and
//! standard deviation of a recent baseline), i.e. the "x times the usual
//! volume, beyond its usual noise" logic of volume-spike alerts. It was preferred
//! to Kleinberg's burst automaton because each alert is explained by three
//! numbers a reader can check (25 against 8 expected, 3.1×, z = 5.9),
//! because it needs no whole-stream decoding and because seasonality fits
//! naturally into its baseline.
//!
//! * **Hour window**: the last hour against (a) the mean of the previous
//!   [`BurstConfig::hour_baseline_hours`] hours and (b) the mean of the same
//!   hour of day on up to 7 previous days; the larger expectation is used, so
//!   an evening peak that happens every evening is not a trend.
//! * **Day window**: the sum of the last 24 hours against the mean of the
//!   previous [`BurstConfig::day_baseline_days`] 24-hour periods.
//! * **Missing history** (a series shorter than the baseline) counts as zero,
//!   and every expectation is at least [`BurstConfig::prior`], so a brand-new
//!   key is judged against a small pseudo-count and needs
//!   [`BurstConfig::min_support`] to trend.
//! * **Over-dispersion**: the variance is `max(expected, sample variance)`.
//!   Real counts are burstier than Poisson, so a noisy but steady series gets a
//!   wide band. For the hour window, once 3 whole previous days exist, the
//!   sample variance is taken within each hour of day over the last (up to) 7
//!   days and pooled over the 24 hours: this removes the day/night swing
//!   (which the recent 24 hours mix in) and, with ~168 values, is stable and
//!   little affected by the first hours of an ongoing burst. Before that, the
//!   variance of the recent hours is used.
//! * **Score**: `z = (current − expected) / √variance`. A burst needs
//!   `current ≥ min_support`, `current / expected ≥ min_ratio` and `z ≥ min_z`.
//! * **`rising_since`**: for the hour window, walk back from the last hour
//!   while each hour is above its own hourly expectation (computed the same way
//!   from the hours before it). For the day window, single hours are too sparse
//!   for that, so the walk can go through quiet hours: the start is the
//!   beginning of the run, ending at the last hour, with the largest cumulative
//!   excess over the baseline's hour-of-day profile (the CUSUM change-point
//!   estimate of Page, 1954). A rise that began two days ago reports that hour.
//!
//! The functions are pure, allocation-light and never panic on any input;
//! every returned number is finite.

use serde::{Deserialize, Serialize};

/// Hours in a day; the seasonal period.
const HOURS_PER_DAY: usize = 24;
/// How many previous days supply the same-hour-of-day (seasonal) baseline.
const SEASONAL_DAYS: usize = 7;
/// Least whole previous days before the hour-of-day pooled variance is used.
const MIN_SEASONAL_DAYS: usize = 3;
/// Floor for any expectation, so that ratios and scores stay finite even if
/// the configured prior is zero, negative or NaN.
const MIN_EXPECTED: f64 = 1e-6;

/// The window a burst is measured over.
///
/// Counts passed to [`detect`] are hourly, oldest first; the last element is
/// the most recent hour. A series may be shorter than the baseline period (a
/// new keyword): missing history counts as zero, with the prior of
/// [`BurstConfig::prior`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// The last hour.
    Hour,
    /// The last 24 hours.
    Day,
}

/// Thresholds and baseline lengths for [`detect`].
#[derive(Debug, Clone, Serialize)]
pub struct BurstConfig {
    /// Least count in the current window (default 5).
    pub min_support: u32,
    /// Least `current / expected` (default 3.0).
    pub min_ratio: f64,
    /// Least score `(current − expected) / √variance` (default 3.0).
    pub min_z: f64,
    /// Previous hours the last hour is compared with, not including it
    /// (default 24).
    pub hour_baseline_hours: usize,
    /// Previous 24-hour periods the last 24 hours are compared with
    /// (default 14).
    pub day_baseline_days: usize,
    /// Pseudo-count expected per window when history is empty (default 0.5),
    /// so that a brand-new key needs `min_support` to trend.
    pub prior: f64,
}

impl Default for BurstConfig {
    fn default() -> Self {
        Self {
            min_support: 5,
            min_ratio: 3.0,
            min_z: 3.0,
            hour_baseline_hours: 24,
            day_baseline_days: 14,
            prior: 0.5,
        }
    }
}

/// A detected rise of a series above its own baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Burst {
    /// The window measured.
    pub window: Window,
    /// Count in the current window (the last hour, or the last 24 hours,
    /// saturating at `u32::MAX`).
    pub current: u32,
    /// Baseline expectation for that window.
    pub expected: f64,
    /// `current / expected`.
    pub ratio: f64,
    /// The over-dispersed z-score `(current − expected) / √variance`.
    pub score: f64,
    /// Index into the counts of the first hour of the rise: the start of the
    /// run of hours above baseline that ends at the last hour.
    pub rising_since: usize,
}

/// Expectation and variance of a window's count.
#[derive(Debug, Clone, Copy)]
struct Baseline {
    expected: f64,
    variance: f64,
}

/// Mean and sample variance of `values`, padded with zeros up to `pad_to`
/// values (missing history); `None` if there are no values at all.
fn moments(values: impl IntoIterator<Item = f64>, pad_to: usize) -> Option<(f64, f64)> {
    let (mut len, mut sum, mut sum_sq) = (0usize, 0.0_f64, 0.0_f64);
    for v in values {
        len += 1;
        sum += v;
        sum_sq += v * v;
    }
    let n = len.max(pad_to);
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean = sum / nf;
    let var = if n > 1 {
        ((sum_sq - nf * mean * mean) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    Some((mean, var))
}

/// The configured prior, floored so it is positive and finite.
fn prior(config: &BurstConfig) -> f64 {
    if config.prior.is_finite() {
        config.prior.max(MIN_EXPECTED)
    } else {
        MIN_EXPECTED
    }
}

/// Baseline of the single hour `i` from the hours before it: the larger of
/// the recent mean and the same-hour-of-day mean, floored at the prior.
fn hour_baseline(counts: &[u32], i: usize, config: &BurstConfig) -> Baseline {
    let span = config.hour_baseline_hours;
    let start = i.saturating_sub(span);
    let recent = counts.get(start..i).unwrap_or_default();
    let (recent_mean, recent_var) =
        moments(recent.iter().map(|&c| f64::from(c)), span).unwrap_or((0.0, 0.0));

    let seasonal = (1..=SEASONAL_DAYS)
        .filter_map(|d| i.checked_sub(d * HOURS_PER_DAY))
        .filter_map(|j| counts.get(j))
        .map(|&c| f64::from(c));
    let seasonal_mean = moments(seasonal, 0).map_or(0.0, |(mean, _)| mean);

    let expected = recent_mean.max(seasonal_mean).max(prior(config));
    let noise = pooled_seasonal_variance(counts, i).unwrap_or(recent_var);
    Baseline {
        expected,
        variance: expected.max(noise),
    }
}

/// Noise variance before hour `i` with the day/night cycle removed: the
/// within-hour-of-day sample variance over the whole days before `i` (up to
/// 7), pooled over the 24 hours of day; `None` with fewer than 3 days.
fn pooled_seasonal_variance(counts: &[u32], i: usize) -> Option<f64> {
    let days = (i / HOURS_PER_DAY).min(SEASONAL_DAYS);
    if days < MIN_SEASONAL_DAYS {
        return None;
    }
    let total: f64 = (1..=HOURS_PER_DAY)
        .map(|back| {
            let slot = (0..days)
                .filter_map(|k| i.checked_sub(back + k * HOURS_PER_DAY))
                .filter_map(|j| counts.get(j))
                .map(|&c| f64::from(c));
            moments(slot, 0).map_or(0.0, |(_, var)| var)
        })
        .sum();
    Some(total / HOURS_PER_DAY as f64)
}

/// Sum of `counts[start..end]`, empty if out of range.
fn window_sum(counts: &[u32], start: usize, end: usize) -> u64 {
    counts
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|&c| u64::from(c))
        .sum()
}

/// Count of the last 24 hours and its baseline from the previous
/// `day_baseline_days` 24-hour periods (missing periods count as zero).
fn day_baseline(counts: &[u32], config: &BurstConfig) -> (u64, Baseline) {
    let n = counts.len();
    let current = window_sum(counts, n.saturating_sub(HOURS_PER_DAY), n);
    let days = config.day_baseline_days;
    let periods = (1..=days)
        .map_while(|k| n.checked_sub(k.checked_mul(HOURS_PER_DAY)?))
        .take_while(|&end| end > 0)
        .map(|end| window_sum(counts, end.saturating_sub(HOURS_PER_DAY), end) as f64);
    let (mean, var) = moments(periods, days).unwrap_or((0.0, 0.0));
    let expected = mean.max(prior(config));
    let baseline = Baseline {
        expected,
        variance: expected.max(var),
    };
    (current, baseline)
}

/// Hour-window `rising_since`: walk back while each hour exceeds its own
/// hourly expectation.
fn hour_rise_start(counts: &[u32], config: &BurstConfig) -> usize {
    let mut start = counts.len().saturating_sub(1);
    while let Some(prev) = start.checked_sub(1) {
        let above = counts
            .get(prev)
            .is_some_and(|&c| f64::from(c) > hour_baseline(counts, prev, config).expected);
        if !above {
            break;
        }
        start = prev;
    }
    start
}

/// Day-window `rising_since`: start of the suffix with the largest cumulative
/// excess over the day baseline's hour-of-day profile (CUSUM change point).
fn day_rise_start(counts: &[u32], config: &BurstConfig) -> usize {
    let n = counts.len();
    let Some(last) = n.checked_sub(1) else {
        return 0;
    };
    let days = config.day_baseline_days;
    // profile[s]: mean count `s` hours (mod 24) before the last hour, over the
    // baseline days (missing days count as zero).
    let mut profile = [0.0_f64; HOURS_PER_DAY];
    for (slot, rate) in profile.iter_mut().enumerate() {
        let total: f64 = (1..=days)
            .map_while(|k| last.checked_sub(slot + k.checked_mul(HOURS_PER_DAY)?))
            .filter_map(|j| counts.get(j))
            .map(|&c| f64::from(c))
            .sum();
        let mean = if days == 0 { 0.0 } else { total / days as f64 };
        *rate = mean.max(prior(config) / HOURS_PER_DAY as f64);
    }
    let lookback = days.saturating_add(1).saturating_mul(HOURS_PER_DAY);
    let (mut excess, mut best, mut best_at) = (0.0_f64, f64::NEG_INFINITY, last);
    for (back, &c) in counts.iter().rev().take(lookback).enumerate() {
        excess += f64::from(c) - profile[back % HOURS_PER_DAY];
        if excess > best {
            best = excess;
            best_at = last - back;
        }
    }
    best_at
}

/// The burst in `counts` (hourly, oldest first) for `window`, if any.
///
/// Returns `None` for an empty series, or unless the current count reaches
/// `min_support`, `min_ratio` times the expectation and a score of `min_z`.
pub fn detect(counts: &[u32], window: Window, config: &BurstConfig) -> Option<Burst> {
    let last_count = *counts.last()?;
    let (current, baseline) = match window {
        Window::Hour => (
            u64::from(last_count),
            hour_baseline(counts, counts.len() - 1, config),
        ),
        Window::Day => day_baseline(counts, config),
    };
    let current = u32::try_from(current).unwrap_or(u32::MAX);
    let value = f64::from(current);
    let ratio = value / baseline.expected;
    let score = (value - baseline.expected) / baseline.variance.sqrt();
    let is_burst =
        current >= config.min_support && ratio >= config.min_ratio && score >= config.min_z;
    if !is_burst {
        return None;
    }
    let rising_since = match window {
        Window::Hour => hour_rise_start(counts, config),
        Window::Day => day_rise_start(counts, config),
    };
    Some(Burst {
        window,
        current,
        expected: baseline.expected,
        ratio,
        score,
        rising_since,
    })
}

/// Bursts in both windows, the hourly one first.
pub fn detect_any(counts: &[u32], config: &BurstConfig) -> Vec<Burst> {
    [Window::Hour, Window::Day]
        .into_iter()
        .filter_map(|w| detect(counts, w, config))
        .collect()
}

#[cfg(test)]
#[path = "trend_tests.rs"]
mod tests;
