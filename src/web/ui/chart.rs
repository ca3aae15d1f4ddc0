//! Hourly bar charts as inline SVG (presentation attributes only: the CSP
//! allows no inline style), with what a reader needs to take a number off
//! them: a y axis with round ticks from 0 to a nice maximum, an x axis with
//! the office's local times, a tooltip per bar, and an `aria-label` that
//! says the span, the maximum and the total.

use chrono::{DateTime, Timelike, Utc};

/// The y ticks at most (intervals between 0 and the top).
const MAX_INTERVALS: u64 = 4;
/// Left margin (the y labels), plot width and height, top margin.
const LEFT: usize = 44;
const PLOT_W: usize = 480;
const PLOT_H: usize = 76;
const TOP: usize = 16;
/// Bars in the last hours are drawn in red (what is happening now).
const RECENT: usize = 6;

/// Round y ticks for a series whose largest value is `max`: 0, then equal
/// steps of 1, 2 or 5 × 10ⁿ, at most [`MAX_INTERVALS`] of them, the last
/// at or above `max` (so every bar fits under the top one). An empty or
/// all-zero series gets 0 and 1.
pub fn ticks(max: u32) -> Vec<u32> {
    let max = u64::from(max.max(1));
    let mut magnitude = 1u64;
    loop {
        for step in [magnitude, 2 * magnitude, 5 * magnitude] {
            let intervals = max.div_ceil(step);
            if intervals <= MAX_INTERVALS {
                return (0..=intervals)
                    .map(|i| u32::try_from(i * step).unwrap_or(u32::MAX))
                    .collect();
            }
        }
        magnitude *= 10;
    }
}

/// The bar chart of hourly counts, `series[i]` the hour starting
/// `len - 1 - i` hours before `last` (the start of the newest hour),
/// labelled in `tz`.
pub fn hourly_bars(series: &[u32], last: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    let max = series.iter().copied().max().unwrap_or(0);
    let total: u64 = series.iter().map(|&n| u64::from(n)).sum();
    let ticks = ticks(max);
    let top = u64::from(*ticks.last().expect("ticks start with 0"));
    let slot = PLOT_W / series.len().max(1);
    let width = LEFT + PLOT_W + 8;
    let axis_y = TOP + PLOT_H;
    let height = axis_y + 22;
    let hour = |i: usize| {
        let back = (series.len() - 1 - i) as i64;
        (last - chrono::Duration::hours(back)).with_timezone(&tz)
    };
    let span = if series.is_empty() {
        String::new()
    } else {
        format!(
            "{} 至 {}，",
            hour(0).format("%m-%d %H:%M"),
            (hour(series.len() - 1) + chrono::Duration::hours(1)).format("%m-%d %H:%M")
        )
    };
    let mut svg = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"近{}小时每小时数量（{span}本地时间）：最高 {max} 条，共 {total} 条\">",
        series.len()
    );
    svg.push_str("<text x=\"2\" y=\"10\" font-size=\"10\" fill=\"#6b7280\">条/小时</text>");
    // The y axis: a line and a label at each tick.
    let y_of = |value: u64| axis_y - (value * PLOT_H as u64 / top) as usize;
    for &tick in &ticks {
        let y = y_of(u64::from(tick));
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e5e7eb\"/><text class=\"y-tick\" x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\" fill=\"#374151\">{tick}</text>",
            LEFT + PLOT_W,
            LEFT - 4,
            y + 3
        ));
    }
    for (i, &n) in series.iter().enumerate() {
        let h = (u64::from(n) * PLOT_H as u64).div_ceil(top) as usize;
        let start = hour(i);
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"{}\"><title>{} 起 1 小时：{n} 条</title></rect>",
            LEFT + i * slot,
            axis_y - h,
            slot.saturating_sub(1).max(1),
            if i + RECENT >= series.len() { "#dc2626" } else { "#94a3b8" },
            start.format("%m-%d %H:%M"),
        ));
        // The x axis: every six hours of local time; midnight shows the date.
        if start.hour() % 6 == 0 {
            let x = LEFT + i * slot;
            let label = if start.hour() == 0 {
                start.format("%m-%d").to_string()
            } else {
                start.format("%H:%M").to_string()
            };
            svg.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{axis_y}\" x2=\"{x}\" y2=\"{}\" stroke=\"#6b7280\"/><text class=\"x-tick\" x=\"{x}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#374151\">{label}</text>",
                axis_y + 4,
                axis_y + 16
            ));
        }
    }
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{axis_y}\" stroke=\"#6b7280\"/><line x1=\"{LEFT}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#6b7280\"/></svg>",
        LEFT + PLOT_W
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_few_and_cover_the_maximum() {
        for max in (0..2_000).chain([9_999, 123_456, u32::MAX - 1, u32::MAX]) {
            let ticks = ticks(max);
            assert_eq!(ticks[0], 0, "{max}");
            let top = *ticks.last().unwrap();
            assert!(top >= max.max(1), "{max}: {ticks:?}");
            assert!(
                ticks.len() >= 2 && ticks.len() as u64 <= MAX_INTERVALS + 1,
                "{max}: {ticks:?}"
            );
            let step = ticks[1];
            // 1, 2 or 5 times a power of ten, the same between all ticks.
            let mut unit = step;
            while unit.is_multiple_of(10) {
                unit /= 10;
            }
            assert!([1, 2, 5].contains(&unit), "{max}: {ticks:?}");
            assert!(
                ticks
                    .windows(2)
                    .all(|w| w[1] - w[0] == step || w[1] == u32::MAX)
            );
            // The smallest such step: one size down would need too many ticks.
            let smaller = match unit {
                1 => step / 2,
                2 => step / 2,
                _ => step * 2 / 5,
            };
            if smaller > 0 && max > 0 {
                assert!(
                    u64::from(max).div_ceil(u64::from(smaller)) > MAX_INTERVALS,
                    "{max}: {ticks:?} could use {smaller}"
                );
            }
        }
        assert_eq!(ticks(0), [0, 1]);
        assert_eq!(ticks(3), [0, 1, 2, 3]);
        assert_eq!(ticks(7), [0, 2, 4, 6, 8]);
        assert_eq!(ticks(13), [0, 5, 10, 15]);
        assert_eq!(ticks(48), [0, 20, 40, 60]);
    }

    #[test]
    fn the_chart_has_axes_local_times_and_says_its_maximum_and_total() {
        let mut series = vec![0u32; 48];
        series[10] = 3;
        series[47] = 7;
        // The newest hour starts 2026-11-29 15:00 UTC: 23:00 in Shanghai.
        let last = "2026-11-29T15:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let svg = hourly_bars(&series, last, chrono_tz::Asia::Shanghai);
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(
            svg.contains("aria-label=\"近48小时每小时数量（11-28 00:00 至 11-30 00:00，本地时间）：最高 7 条，共 10 条\""),
            "{svg}"
        );
        for tick in ticks(7) {
            assert!(svg.contains(&format!(">{tick}</text>")), "{tick}: {svg}");
        }
        // Midnights show the date, other sixth hours the time.
        for label in [
            ">11-28</text>",
            ">06:00</text>",
            ">12:00</text>",
            ">18:00</text>",
            ">11-29</text>",
        ] {
            assert!(svg.contains(label), "{label}: {svg}");
        }
        assert!(
            svg.contains("<title>11-29 23:00 起 1 小时：7 条</title>"),
            "{svg}"
        );
        assert_eq!(svg.matches("<rect").count(), 48);
    }
}
