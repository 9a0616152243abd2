//! Money in 分 (integer cents) and other two-decimal quantities (亩, ㎡). Never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in 分 (1 元 = 100 分).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Fen(pub i64);

/// Why a decimal amount was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("not a number")]
    NotANumber,
    #[error("more than two decimals")]
    TooManyDecimals,
    #[error("too large")]
    TooLarge,
}

impl AmountError {
    pub fn zh(self) -> &'static str {
        match self {
            AmountError::NotANumber => "不是数字",
            AmountError::TooManyDecimals => "最多两位小数",
            AmountError::TooLarge => "数值过大",
        }
    }
}

/// Parses a decimal with at most two places (`1234.5`, `-3`, `１２.３４`, `1,234.00`) into hundredths.
pub fn parse_hundredths(text: &str) -> Result<i64, AmountError> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .collect();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(AmountError::NotANumber);
    }
    // trailing zeros beyond two places are harmless ("12.300" from a spreadsheet)
    let frac = frac.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    if int.len() > 15 {
        return Err(AmountError::TooLarge);
    }
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| AmountError::TooLarge)?
    };
    let cents: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| AmountError::NotANumber)?;
    let v = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or(AmountError::TooLarge)?;
    Ok(if negative { -v } else { v })
}

/// Formats hundredths as a decimal, dropping `.00` (`123456` → `1234.56`, `500` → `5`).
pub fn format_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    match a % 100 {
        0 => format!("{sign}{}", a / 100),
        c if c % 10 == 0 => format!("{sign}{}.{}", a / 100, c / 10),
        c => format!("{sign}{}.{c:02}", a / 100),
    }
}

impl Fen {
    /// Parses an amount in 元 as users type it.
    pub fn parse_yuan(text: &str) -> Result<Fen, AmountError> {
        parse_hundredths(text).map(Fen)
    }
    pub fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }
    /// Divides by a count, rounding half away from zero to the nearest 分.
    pub fn per(self, count: i64) -> Option<Fen> {
        if count <= 0 {
            return None;
        }
        let q = self.0 / count;
        let r = self.0 % count;
        // r.abs() >= count - r.abs() is 2|r| >= count without overflowing
        let round = if r.abs() >= count - r.abs() {
            r.signum()
        } else {
            0
        };
        Some(Fen(q + round))
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hundredths(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_amounts_become_fen() {
        assert_eq!(Fen::parse_yuan("8700"), Ok(Fen(870_000)));
        assert_eq!(Fen::parse_yuan("1,234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("０.０５"), Ok(Fen(5)));
        assert_eq!(Fen::parse_yuan("-3.10"), Ok(Fen(-310)));
        assert_eq!(Fen::parse_yuan("12.300"), Ok(Fen(1230)));
        assert_eq!(Fen::parse_yuan("1.234"), Err(AmountError::TooManyDecimals));
        assert_eq!(Fen::parse_yuan("abc"), Err(AmountError::NotANumber));
        assert_eq!(Fen::parse_yuan(""), Err(AmountError::NotANumber));
        assert_eq!(Fen::parse_yuan("."), Err(AmountError::NotANumber));
    }

    #[test]
    fn per_capita_rounds_half_away_from_zero() {
        assert_eq!(Fen(1000).per(3), Some(Fen(333)));
        assert_eq!(Fen(1001).per(2), Some(Fen(501)));
        assert_eq!(Fen(-1001).per(2), Some(Fen(-501)));
        assert_eq!(Fen(1000).per(0), None);
    }

    proptest! {
        #[test]
        fn formatting_and_parsing_round_trip(v in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(parse_hundredths(&format_hundredths(v)), Ok(v));
        }

        #[test]
        fn per_capita_is_within_half_a_fen(total in -1_000_000_000i64..1_000_000_000, n in 1i64..30) {
            let p = Fen(total).per(n).unwrap().0;
            prop_assert!((p * n - total).abs() * 2 <= n);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,24}") {
            let _ = parse_hundredths(&s);
        }
    }
}
