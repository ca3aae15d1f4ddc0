//! The `schedule` keys: cron expressions, parsed by the `cron` crate after
//! we check each field ourselves, so a mistake is told with the field's
//! real range. (The crate says "Hours must be less than 23" for `25`, when
//! 23 is allowed, and "Minutes must be between 1 and 59" for a step of 60.)
//!
//! Fields: second minute hour day-of-month month day-of-week [year]; a
//! 5-field Unix expression (no seconds) runs at second 0. Its days of the
//! week must be names: Unix numbers them from Monday = 1, the crate from
//! Sunday = 1, and a silent shift by a day is worse than an error.

use std::str::FromStr;

/// One field of a cron expression and the values it takes.
struct Field {
    /// What one value is (`hour`).
    one: &'static str,
    /// What the field holds (`hours`).
    many: &'static str,
    min: u32,
    max: u32,
    /// Names accepted for values (lowercase), with their number.
    names: &'static [(&'static str, u32)],
    /// How to write the allowed values, for messages.
    allowed: &'static str,
    /// `?` ("no specific value") is accepted.
    any: bool,
}

const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("january", 1),
    ("feb", 2),
    ("february", 2),
    ("mar", 3),
    ("march", 3),
    ("apr", 4),
    ("april", 4),
    ("may", 5),
    ("jun", 6),
    ("june", 6),
    ("jul", 7),
    ("july", 7),
    ("aug", 8),
    ("august", 8),
    ("sep", 9),
    ("september", 9),
    ("oct", 10),
    ("october", 10),
    ("nov", 11),
    ("november", 11),
    ("dec", 12),
    ("december", 12),
];

/// The crate counts weekdays from Sunday = 1.
const WEEKDAYS: &[(&str, u32)] = &[
    ("sun", 1),
    ("sunday", 1),
    ("mon", 2),
    ("monday", 2),
    ("tue", 3),
    ("tues", 3),
    ("tuesday", 3),
    ("wed", 4),
    ("wednesday", 4),
    ("thu", 5),
    ("thurs", 5),
    ("thursday", 5),
    ("fri", 6),
    ("friday", 6),
    ("sat", 7),
    ("saturday", 7),
];

const fn numbers(
    one: &'static str,
    many: &'static str,
    min: u32,
    max: u32,
    allowed: &'static str,
) -> Field {
    Field {
        one,
        many,
        min,
        max,
        names: &[],
        allowed,
        any: false,
    }
}

/// The fields in order, seconds first.
const FIELDS: [Field; 7] = [
    numbers("second", "seconds", 0, 59, "0 to 59"),
    numbers("minute", "minutes", 0, 59, "0 to 59"),
    numbers("hour", "hours", 0, 23, "0 to 23"),
    Field {
        any: true,
        ..numbers("day of the month", "days of the month", 1, 31, "1 to 31")
    },
    Field {
        names: MONTHS,
        ..numbers("month", "months", 1, 12, "1 to 12 or Jan to Dec")
    },
    Field {
        names: WEEKDAYS,
        any: true,
        ..numbers(
            "day of the week",
            "days of the week",
            1,
            7,
            "1 to 7 (1 = Sunday) or Sun to Sat",
        )
    },
    numbers("year", "years", 1970, 2100, "1970 to 2100"),
];

/// Parses a cron expression; 5 fields (Unix) get a leading `0` seconds
/// field. The error says what is wrong, quoting the expression.
pub fn parse_schedule(expression: &str) -> Result<cron::Schedule, String> {
    let trimmed = expression.trim();
    let parts: Vec<&str> = trimmed.split_whitespace().collect();
    let full = if trimmed.starts_with('@') {
        trimmed.to_string()
    } else {
        let fields: &[Field] = match parts.len() {
            5 => &FIELDS[1..6],
            6 | 7 => &FIELDS[..parts.len()],
            n => {
                return Err(format!(
                    "`{expression}` has {n} fields: write 6 (second minute hour \
                     day-of-month month day-of-week, e.g. \"0 */15 * * * *\") or 5 \
                     (the Unix form without seconds, e.g. \"*/15 * * * *\")"
                ));
            }
        };
        if parts.len() == 5 && parts[4].bytes().any(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{expression}`: in the 5-field (Unix) form write the days of the week by \
                 name (e.g. Mon-Fri): Unix cron counts them from 0 or 7 = Sunday and \
                 1 = Monday, this scheduler from 1 = Sunday, so a number would run on \
                 another day"
            ));
        }
        for (text, field) in parts.iter().zip(fields) {
            check_field(text, field).map_err(|problem| format!("`{expression}`: {problem}"))?;
        }
        if parts.len() == 5 {
            format!("0 {trimmed}")
        } else {
            trimmed.to_string()
        }
    };
    cron::Schedule::from_str(&full).map_err(|error| {
        // The crate's message repeats the expression with a caret under
        // it; its last line is the reason.
        let error = error.to_string();
        let reason = error.lines().rev().find(|l| !l.trim().is_empty());
        let hint = if trimmed.starts_with('@') {
            "use @yearly, @monthly, @weekly, @daily or @hourly".to_string()
        } else {
            reason.unwrap_or("not understood").trim().to_string()
        };
        format!("`{expression}` is not a cron expression: {hint}")
    })
}

/// Checks one field: lists (`,`), ranges (`-`), steps (`/`), `*`, names.
fn check_field(text: &str, field: &Field) -> Result<(), String> {
    for item in text.split(',') {
        if item.is_empty() {
            return Err(format!(
                "the {} field `{text}` has an empty item between commas",
                field.many
            ));
        }
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let valid = step
                .parse::<u32>()
                .is_ok_and(|step| (1..=field.max).contains(&step));
            if !valid {
                return Err(format!(
                    "the step `/{step}` in the {} field must be a whole number from 1 to {}",
                    field.many, field.max
                ));
            }
        }
        match base {
            "*" => {}
            "?" if field.any => {}
            "?" => {
                return Err(format!(
                    "`?` is allowed only for the day of the month or of the week, not in the {} field",
                    field.many
                ));
            }
            _ => match base.split_once('-') {
                Some((from, to)) => {
                    let (from_value, to_value) = (value(from, field)?, value(to, field)?);
                    if from_value > to_value {
                        return Err(format!(
                            "the range `{base}` in the {} field runs backwards: write the \
                             earlier {} first ({} are {})",
                            field.many, field.one, field.many, field.allowed
                        ));
                    }
                }
                None => {
                    value(base, field)?;
                }
            },
        }
    }
    Ok(())
}

/// One value of a field, a number or a name, within the field's range.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    let out_of_range = || {
        format!(
            "{} `{text}` is out of range: {} are {}",
            field.one, field.many, field.allowed
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let number = text.parse::<u32>().map_err(|_| out_of_range())?;
        if (field.min..=field.max).contains(&number) {
            return Ok(number);
        }
        return Err(out_of_range());
    }
    let lower = text.to_ascii_lowercase();
    if let Some((_, number)) = field.names.iter().find(|(name, _)| *name == lower) {
        return Ok(*number);
    }
    let what = if field.names.is_empty() {
        "number"
    } else {
        field.one
    };
    Err(format!(
        "`{text}` is not a {what}: {} are {}",
        field.many, field.allowed
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_with_and_without_seconds() {
        assert!(parse_schedule("0 */15 * * * *").is_ok());
        assert!(parse_schedule("*/15 * * * *").is_ok(), "unix form");
        assert!(parse_schedule("@hourly").is_ok());
        assert!(parse_schedule("0 0 8 * * Mon-Fri").is_ok());
        assert!(
            parse_schedule("0 0 8 * * 2-6").is_ok(),
            "6 fields: 2 = Monday"
        );
        assert!(
            parse_schedule("0 8 * * Mon-Fri").is_ok(),
            "unix form, by name"
        );
        assert!(parse_schedule("0 0 8 ? * MON,wed 2030").is_ok());
        assert!(parse_schedule("0 0 0-23/6 1,15 Jan-Jun *").is_ok());
        assert!(parse_schedule("59 59 23 31 12 7").is_ok(), "every maximum");
        assert!(parse_schedule("0 0 0 1 1 1").is_ok(), "every minimum");
        assert!(parse_schedule("every minute").is_err());
    }

    /// QA: the crate said "Hours must be less than 23" and "Minutes must
    /// be between 1 and 59"; the messages give the real ranges.
    #[test]
    fn mistakes_are_told_with_the_fields_range() {
        let cases = [
            (
                "0 0 25 * * *",
                "`0 0 25 * * *`: hour `25` is out of range: hours are 0 to 23",
            ),
            (
                "0 60 8 * * *",
                "`0 60 8 * * *`: minute `60` is out of range: minutes are 0 to 59",
            ),
            (
                "0 */60 * * * *",
                "`0 */60 * * * *`: the step `/60` in the minutes field must be a whole number \
                 from 1 to 59",
            ),
            (
                "0 */0 * * * *",
                "`0 */0 * * * *`: the step `/0` in the minutes field must be a whole number \
                 from 1 to 59",
            ),
            (
                "61 * * * * *",
                "`61 * * * * *`: second `61` is out of range: seconds are 0 to 59",
            ),
            (
                "0 0 8 0 * *",
                "`0 0 8 0 * *`: day of the month `0` is out of range: days of the month are \
                 1 to 31",
            ),
            (
                "0 0 8 * 13 *",
                "`0 0 8 * 13 *`: month `13` is out of range: months are 1 to 12 or Jan to Dec",
            ),
            (
                "0 0 8 * * 0",
                "`0 0 8 * * 0`: day of the week `0` is out of range: days of the week are \
                 1 to 7 (1 = Sunday) or Sun to Sat",
            ),
            (
                "0 0 8 * * Mun",
                "`0 0 8 * * Mun`: `Mun` is not a day of the week: days of the week are 1 to 7 \
                 (1 = Sunday) or Sun to Sat",
            ),
            (
                "0 0 22-6 * * *",
                "`0 0 22-6 * * *`: the range `22-6` in the hours field runs backwards: write \
                 the earlier hour first (hours are 0 to 23)",
            ),
            (
                "0 0 8,,9 * * *",
                "`0 0 8,,9 * * *`: the hours field `8,,9` has an empty item between commas",
            ),
            (
                "0 ? * * * *",
                "`0 ? * * * *`: `?` is allowed only for the day of the month or of the week, \
                 not in the minutes field",
            ),
            (
                "60 8 * * *",
                "`60 8 * * *`: minute `60` is out of range: minutes are 0 to 59",
            ),
            (
                "0 0 8 * * 8",
                "`0 0 8 * * 8`: day of the week `8` is out of range: days of the week are 1 to 7 \
                 (1 = Sunday) or Sun to Sat",
            ),
            (
                "0 8 * * 1-5",
                "`0 8 * * 1-5`: in the 5-field (Unix) form write the days of the week by name \
                 (e.g. Mon-Fri): Unix cron counts them from 0 or 7 = Sunday and 1 = Monday, \
                 this scheduler from 1 = Sunday, so a number would run on another day",
            ),
            (
                "0 0 x * * *",
                "`0 0 x * * *`: `x` is not a number: hours are 0 to 23",
            ),
            (
                "0 0 8 * * * 1969",
                "`0 0 8 * * * 1969`: year `1969` is out of range: years are 1970 to 2100",
            ),
            (
                "0 0 8 * * * * *",
                "`0 0 8 * * * * *` has 8 fields: write 6 (second minute hour day-of-month \
                 month day-of-week, e.g. \"0 */15 * * * *\") or 5 (the Unix form without \
                 seconds, e.g. \"*/15 * * * *\")",
            ),
            (
                "@fortnightly",
                "`@fortnightly` is not a cron expression: use @yearly, @monthly, @weekly, \
                 @daily or @hourly",
            ),
        ];
        for (expression, expected) in cases {
            let message = parse_schedule(expression).unwrap_err();
            assert_eq!(message, expected, "{expression}");
            assert!(!message.contains("less than"), "{message}");
        }
    }
}
