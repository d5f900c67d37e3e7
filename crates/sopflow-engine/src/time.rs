//! Instants with their UTC offset, and deadline arithmetic (hours, days,
//! working days of a calendar, months, years). No clock: time only comes in
//! with events.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sopflow_check::ir::{CalendarIr, TimeUnitIr};
use std::fmt;
use std::str::FromStr;

/// A moment with the UTC offset it was stated in (`2024-06-10T09:00:00+07:00`).
/// Ordering and equality compare the moment only… and then the offset, so
/// that ordering is total and consistent with equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At {
    ts: Timestamp,
    offset_seconds: i32,
}

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a timestamp with an offset, such as 2024-06-10T09:00:00+07:00")]
pub struct BadTimestamp {
    /// The text given.
    pub text: String,
}

impl At {
    /// The instant as a UTC timestamp.
    pub fn timestamp(self) -> Timestamp {
        self.ts
    }

    fn offset(self) -> Offset {
        Offset::from_seconds(self.offset_seconds).unwrap_or(Offset::UTC)
    }

    fn local(self) -> DateTime {
        self.offset().to_datetime(self.ts)
    }

    fn from_local(dt: DateTime, offset: Offset) -> Option<At> {
        let ts = TimeZone::fixed(offset).to_timestamp(dt).ok()?;
        Some(At {
            ts,
            offset_seconds: offset.seconds(),
        })
    }

    /// The local calendar date.
    pub fn date(self) -> Date {
        self.local().date()
    }
}

impl FromStr for At {
    type Err = BadTimestamp;

    fn from_str(s: &str) -> Result<At, BadTimestamp> {
        let bad = || BadTimestamp {
            text: s.to_string(),
        };
        let ts: Timestamp = s.trim().parse().map_err(|_| bad())?;
        let t = s.trim();
        let offset_seconds = if t.ends_with('Z') || t.ends_with('z') {
            0
        } else {
            let tail = t.get(t.len().saturating_sub(6)..).ok_or_else(bad)?;
            let sign = match tail.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return Err(bad()),
            };
            let h: i32 = tail
                .get(1..3)
                .and_then(|x| x.parse().ok())
                .ok_or_else(bad)?;
            let m: i32 = tail
                .get(4..6)
                .and_then(|x| x.parse().ok())
                .ok_or_else(bad)?;
            sign * (h * 3600 + m * 60)
        };
        Ok(At { ts, offset_seconds })
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.local();
        let secs = self.offset_seconds;
        if secs == 0 {
            write!(f, "{}Z", local.strftime("%Y-%m-%dT%H:%M:%S"))
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let a = secs.abs();
            write!(
                f,
                "{}{sign}{:02}:{:02}",
                local.strftime("%Y-%m-%dT%H:%M:%S"),
                a / 3600,
                (a % 3600) / 60
            )
        }
    }
}

impl Serialize for At {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for At {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<At, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The deadline `amount` `unit`s after `from`; `None` when it falls outside
/// the representable range (a deadline that never comes).
pub fn add(from: At, amount: i64, unit: TimeUnitIr, calendar: Option<&CalendarIr>) -> Option<At> {
    let offset = from.offset();
    let local = from.local();
    match unit {
        TimeUnitIr::Minutes => shift(from, Span::new().try_minutes(amount).ok()?),
        TimeUnitIr::Hours => shift(from, Span::new().try_hours(amount).ok()?),
        TimeUnitIr::Days => At::from_local(
            local.checked_add(Span::new().try_days(amount).ok()?).ok()?,
            offset,
        ),
        TimeUnitIr::Weeks => At::from_local(
            local
                .checked_add(Span::new().try_weeks(amount).ok()?)
                .ok()?,
            offset,
        ),
        TimeUnitIr::Months => At::from_local(
            local
                .checked_add(Span::new().try_months(amount).ok()?)
                .ok()?,
            offset,
        ),
        TimeUnitIr::Years => At::from_local(
            local
                .checked_add(Span::new().try_years(amount).ok()?)
                .ok()?,
            offset,
        ),
        TimeUnitIr::Workdays => {
            let cal = calendar?;
            let mut date = local.date();
            let mut counted = 0i64;
            // A working-day deadline past ~100 years is treated as never.
            let mut guard = 0u32;
            while counted < amount {
                date = date.tomorrow().ok()?;
                guard += 1;
                if guard > 40_000 {
                    return None;
                }
                if is_workday(cal, date) {
                    counted += 1;
                }
            }
            At::from_local(date.to_datetime(local.time()), offset)
        }
    }
}

fn shift(from: At, span: Span) -> Option<At> {
    Some(At {
        ts: from.ts.checked_add(span).ok()?,
        offset_seconds: from.offset_seconds,
    })
}

/// Whether `date` is a working day of `cal` (a workday of the week and not a holiday).
pub fn is_workday(cal: &CalendarIr, date: Date) -> bool {
    let weekday = date.weekday().to_monday_zero_offset() as usize;
    let ymd = (i32::from(date.year()), date.month() as u8, date.day() as u8);
    cal.workdays.get(weekday).copied().unwrap_or(false) && !cal.holidays.contains(&ymd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> At {
        s.parse().expect("timestamp")
    }

    #[test]
    fn keeps_the_offset_it_was_given() {
        assert_eq!(
            at("2024-06-10T09:00:00+07:00").to_string(),
            "2024-06-10T09:00:00+07:00"
        );
        assert_eq!(
            at("2024-06-10T02:00:00Z").to_string(),
            "2024-06-10T02:00:00Z"
        );
        assert!("2024-06-10".parse::<At>().is_err());
        assert!("kemarin".parse::<At>().is_err());
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = CalendarIr {
            workdays: [true, true, true, true, true, false, false],
            holidays: vec![(2024, 6, 17)],
        };
        // Friday 14 June 2024 + 1 workday = Tuesday 18 June (weekend and the 17th skipped).
        let due = add(
            at("2024-06-14T10:00:00+07:00"),
            1,
            TimeUnitIr::Workdays,
            Some(&cal),
        );
        assert_eq!(
            due.map(|d| d.to_string()).as_deref(),
            Some("2024-06-18T10:00:00+07:00")
        );
        let due = add(at("2024-06-14T10:00:00+07:00"), 2, TimeUnitIr::Days, None);
        assert_eq!(
            due.map(|d| d.to_string()).as_deref(),
            Some("2024-06-16T10:00:00+07:00")
        );
        let due = add(at("2024-01-31T10:00:00+07:00"), 1, TimeUnitIr::Months, None);
        assert_eq!(
            due.map(|d| d.to_string()).as_deref(),
            Some("2024-02-29T10:00:00+07:00")
        );
        assert_eq!(
            add(
                at("2024-01-31T10:00:00+07:00"),
                i64::MAX,
                TimeUnitIr::Hours,
                None
            ),
            None
        );
        assert_eq!(
            add(
                at("2024-01-31T10:00:00+07:00"),
                1,
                TimeUnitIr::Workdays,
                None
            ),
            None
        );
    }
}
