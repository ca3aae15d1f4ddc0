//! When sources are due. The maths is a pure function of the schedules, the
//! time zone and "now", so it is tested with named cases; the daemon
//! (`yuqing run`) only sleeps until the earliest next time. Runs missed
//! while yuqing was down, or while a long crawl ran, are coalesced into one.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The first time `schedule` fires strictly after `after`.
pub fn next_after(
    schedule: &cron::Schedule,
    tz: Tz,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    schedule
        .after(&after.with_timezone(&tz))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

/// The sources due at `now` (indices into `next`), each once however many
/// of its runs were missed; their entries in `next` move to the first time
/// after `now`. A schedule that never fires again gets `None`.
pub fn take_due(
    next: &mut [Option<DateTime<Utc>>],
    schedules: &[cron::Schedule],
    tz: Tz,
    now: DateTime<Utc>,
) -> Vec<usize> {
    let mut due = Vec::new();
    for (index, slot) in next.iter_mut().enumerate() {
        if slot.is_some_and(|at| at <= now) {
            due.push(index);
            *slot = next_after(&schedules[index], tz, now);
        }
    }
    due
}

/// The earliest next time of all sources.
pub fn earliest(next: &[Option<DateTime<Utc>>]) -> Option<DateTime<Utc>> {
    next.iter().flatten().min().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_schedule;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn next_times() {
        let tz = chrono_tz::Asia::Shanghai;
        let cases = [
            (
                "every 15 minutes",
                "0 */15 * * * *",
                "2026-11-28T10:07:00+08:00",
                "2026-11-28T10:15:00+08:00",
            ),
            (
                "exactly on a firing time is the next one",
                "0 */15 * * * *",
                "2026-11-28T10:15:00+08:00",
                "2026-11-28T10:30:00+08:00",
            ),
            (
                "daily 08:00 in Shanghai",
                "0 0 8 * * *",
                "2026-11-28T09:00:00+08:00",
                "2026-11-29T08:00:00+08:00",
            ),
            (
                "unix five fields",
                "30 7 * * *",
                "2026-11-28T07:00:00+08:00",
                "2026-11-28T07:30:00+08:00",
            ),
            (
                "weekdays only (1 = Sunday)",
                "0 0 9 * * Mon-Fri",
                "2026-11-28T10:00:00+08:00",
                "2026-11-30T09:00:00+08:00",
            ),
        ];
        for (name, expression, after, expected) in cases {
            let schedule = parse_schedule(expression).unwrap();
            assert_eq!(
                next_after(&schedule, tz, at(after)),
                Some(at(expected)),
                "{name}"
            );
        }
    }

    #[test]
    fn missed_runs_are_coalesced_and_others_wait() {
        let tz = chrono_tz::Asia::Shanghai;
        let schedules = vec![
            parse_schedule("0 0 * * * *").unwrap(),
            parse_schedule("0 0 8 * * *").unwrap(),
        ];
        let mut next = vec![
            Some(at("2026-11-28T10:00:00+08:00")),
            Some(at("2026-11-29T08:00:00+08:00")),
        ];
        // Down from 09:59 to 12:47: three hourly runs missed, one crawl.
        let due = take_due(&mut next, &schedules, tz, at("2026-11-28T12:47:00+08:00"));
        assert_eq!(due, vec![0]);
        assert_eq!(next[0], Some(at("2026-11-28T13:00:00+08:00")));
        assert_eq!(next[1], Some(at("2026-11-29T08:00:00+08:00")));
        assert_eq!(earliest(&next), next[0]);
        assert!(take_due(&mut next, &schedules, tz, at("2026-11-28T12:59:59+08:00")).is_empty());
    }
}
