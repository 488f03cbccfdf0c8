//! The tenant's clock: real time plus an offset tests can move forward, so tokens, codes and device codes expire on
//! demand instead of after real minutes.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, shifted by whatever tests asked for.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    /// The current time in seconds since the epoch.
    pub fn now(&self) -> u64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        (real + self.offset_secs.load(Ordering::Relaxed)).max(0) as u64
    }

    /// Moves time forward (or back, with a negative value).
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

/// `YYYY-MM-DD hh:mm:ssZ`, the format of Entra's `timestamp` field.
pub fn entra_timestamp(epoch: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(epoch);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}Z")
}

/// `YYYY-MM-DDThh:mm:ss`, the format of Graph's `innerError.date` and of message timestamps.
pub fn iso8601(epoch: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(epoch);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}")
}

/// The epoch second of `YYYY-MM-DDThh:mm:ss[.fff]Z` (a WS-Security timestamp); `None` for anything else. Howard
/// Hinnant's `days_from_civil`.
pub fn parse_iso8601(text: &str) -> Option<u64> {
    let text = text.trim().strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, d) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    let mut time = time.splitn(3, ':').map(str::parse::<i64>);
    let (hh, mm, ss) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3_600 + mm * 60 + ss).ok()
}

/// Calendar date and time of an epoch second (proleptic Gregorian, UTC); Howard Hinnant's `civil_from_days`.
fn civil(epoch: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3_600, secs % 3_600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_parses_back_what_it_writes() {
        for epoch in [0, 951_782_400, 1_538_475_330, 1_796_531_200] {
            assert_eq!(parse_iso8601(&format!("{}Z", iso8601(epoch))), Some(epoch));
        }
        assert_eq!(
            parse_iso8601("2018-10-02T10:15:30.068Z"),
            Some(1_538_475_330)
        );
        for bad in [
            "",
            "2018-10-02T10:15:30",
            "2018-13-02T10:15:30Z",
            "yesterday",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(entra_timestamp(0), "1970-01-01 00:00:00Z");
        assert_eq!(entra_timestamp(1_795_500_000), "2026-11-24 06:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
    }

    #[test]
    fn advancing_moves_now() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(3_600);
        assert!(clock.now() >= before + 3_600);
    }
}
