//! 证件号码: resident ID numbers (GB 11643, ISO 7064 MOD 11-2) and 残疾人证 numbers.

use crate::codes::Sex;
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 证件类型
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证
    ResidentId,
    /// 残疾人证: the holder's 18-character ID followed by category and grade digits.
    DisabilityCard,
    /// 其他: kept as given, checked only for length and characters.
    Other,
}

impl IdKind {
    pub const ALL: [IdKind; 3] = [IdKind::ResidentId, IdKind::DisabilityCard, IdKind::Other];
    pub fn label_zh(self) -> &'static str {
        match self {
            IdKind::ResidentId => "居民身份证",
            IdKind::DisabilityCard => "残疾人证",
            IdKind::Other => "其他",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            IdKind::ResidentId => "resident ID card",
            IdKind::DisabilityCard => "disability certificate",
            IdKind::Other => "other",
        }
    }
    pub fn parse_zh(text: &str) -> Option<IdKind> {
        Some(match text.trim() {
            "" | "居民身份证" | "身份证" => IdKind::ResidentId,
            "残疾人证" | "残疾证" => IdKind::DisabilityCard,
            "其他" => IdKind::Other,
            _ => return None,
        })
    }
    /// The number stored for this kind (`members.id_kind`), pinned: stored rows carry it.
    pub fn code(self) -> i64 {
        match self {
            IdKind::ResidentId => 0,
            IdKind::DisabilityCard => 1,
            IdKind::Other => 2,
        }
    }
    /// The kind stored as `code`; `None` for a number no kind carries.
    pub fn from_code(code: i64) -> Option<IdKind> {
        match code {
            0 => Some(IdKind::ResidentId),
            1 => Some(IdKind::DisabilityCard),
            2 => Some(IdKind::Other),
            _ => None,
        }
    }
}

/// Why an ID number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("wrong length")]
    Length,
    #[error("contains characters other than digits and a final X")]
    Characters,
    #[error("the birth date inside it does not exist")]
    BirthDate,
    #[error("the birth date inside it lies in the future")]
    FutureBirth,
    #[error("the check digit does not match")]
    CheckDigit,
    #[error("the area code is not a Chinese province")]
    Area,
    #[error("the category or grade digits of the disability card are invalid")]
    DisabilitySuffix,
    /// Stars in the number: it was masked for display or a masked export (`5108**********1234`),
    /// and a masked number names nobody, so it cannot be taken in.
    #[error("it is masked (with *), as in an export with masked ID numbers: use a ledger exported with full ID numbers")]
    Masked,
}

impl IdError {
    pub fn zh(self) -> &'static str {
        match self {
            IdError::Length => "长度不对（居民身份证应为18位，残疾人证为20或22位）",
            IdError::Characters => "只能包含数字，最后一位可以是X",
            IdError::BirthDate => "其中的出生日期不存在",
            IdError::FutureBirth => "其中的出生日期晚于今天",
            IdError::CheckDigit => "校验位不正确",
            IdError::Area => "前两位不是有效的省级代码",
            IdError::DisabilitySuffix => "残疾人证末尾的类别或等级数字无效",
            IdError::Masked => {
                "是打码后的号码（含*），如来自隐藏证件号码的导出：请使用含完整证件号码的台账"
            }
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The ISO 7064 MOD 11-2 check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Normalises what people type: surrounding spaces, full-width digits and letters, a lower-case x.
pub fn normalise(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            'Ｘ' | 'ｘ' | 'x' => 'X',
            c => c,
        })
        .collect()
}

/// A validated 18-character resident ID number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdNumber(String);

impl IdNumber {
    /// Validates an 18-character resident ID number against `today`.
    pub fn parse(text: &str, today: Date) -> Result<IdNumber, IdError> {
        let t = normalise(text);
        let b = t.as_bytes();
        if b.len() != 18 {
            return Err(IdError::Length);
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdError::Characters);
        }
        if !(b'1'..=b'9').contains(&b[0]) {
            return Err(IdError::Area);
        }
        let birth = birth_date_of(&t).ok_or(IdError::BirthDate)?;
        if birth > today {
            return Err(IdError::FutureBirth);
        }
        if check_char(&b[..17]) != b[17] {
            return Err(IdError::CheckDigit);
        }
        Ok(IdNumber(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.0).unwrap_or_else(|| Date::from_days(0))
    }
    /// Digit 17 is odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
    /// The six-digit area code of the place of first registration.
    pub fn area(&self) -> &str {
        &self.0[..6]
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn birth_date_of(id: &str) -> Option<Date> {
    let d = id.get(6..14)?;
    Date::new(
        d[..4].parse().ok()?,
        d[4..6].parse().ok()?,
        d[6..].parse().ok()?,
    )
    .filter(|d| d.year() >= 1880)
}

/// A validated 证件号码 of any kind, in its normalised form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonId {
    pub kind: IdKind,
    pub number: String,
    /// The embedded resident ID, for kinds that carry one.
    #[serde(skip)]
    pub resident: Option<IdNumber>,
}

impl PersonId {
    pub fn parse(kind: IdKind, text: &str, today: Date) -> Result<PersonId, IdError> {
        let t = normalise(text);
        if t.contains('*') {
            return Err(IdError::Masked);
        }
        let resident = match kind {
            IdKind::ResidentId => Some(IdNumber::parse(&t, today)?),
            IdKind::DisabilityCard => {
                if t.len() != 20 && t.len() != 22 {
                    return Err(IdError::Length);
                }
                if !t.is_ascii() {
                    return Err(IdError::Characters);
                }
                let id = IdNumber::parse(&t[..18], today)?;
                let rest = &t.as_bytes()[18..];
                // 残疾类别 1–7 (视力 … 多重), 残疾等级 1–4
                let ok = rest.iter().all(u8::is_ascii_alphanumeric)
                    && (b'1'..=b'7').contains(&rest[0])
                    && (b'1'..=b'4').contains(&rest[1]);
                if !ok {
                    return Err(IdError::DisabilitySuffix);
                }
                Some(id)
            }
            IdKind::Other => {
                if t.is_empty() || t.chars().count() > 32 {
                    return Err(IdError::Length);
                }
                if !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(IdError::Characters);
                }
                None
            }
        };
        Ok(PersonId {
            kind,
            number: t,
            resident,
        })
    }
}

/// Masks an ID number for display: the first four and the last four characters stay
/// (`5108**********1234`), the rest become stars. Short values keep only their last character.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return chars
            .iter()
            .enumerate()
            .map(|(i, c)| if i + 1 == n { *c } else { '*' })
            .collect();
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// Builds a valid resident ID number from its parts; used by the synthetic generator and tests.
pub fn make_id(area: &str, birth: Date, sequence: u16, sex: Sex) -> String {
    let seq = sequence % 100;
    let sex_digit = match sex {
        Sex::Male => (sequence / 100 % 5) * 2 + 1,
        Sex::Female => (sequence / 100 % 5) * 2,
    };
    let mut s = format!(
        "{area:0>6.6}{:04}{:02}{:02}{seq:02}{sex_digit}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    let c = check_char(s.as_bytes());
    s.push(char::from(c));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn the_standard_example_number_is_valid() {
        // GB 11643 worked example
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), Date::new(1949, 12, 31).unwrap());
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(
            IdNumber::parse("110105194912310021", today()),
            Err(IdError::CheckDigit)
        );
    }

    #[test]
    fn impossible_and_future_birth_dates_are_refused() {
        let feb30 = make_id("510821", Date::new(1990, 1, 1).unwrap(), 1, Sex::Male)
            .replace("19900101", "19900230");
        assert_eq!(IdNumber::parse(&feb30, today()), Err(IdError::BirthDate));
        let future = make_id("510821", Date::new(2027, 1, 1).unwrap(), 1, Sex::Male);
        assert_eq!(IdNumber::parse(&future, today()), Err(IdError::FutureBirth));
    }

    #[test]
    fn full_width_digits_and_lower_case_x_are_accepted() {
        let id = IdNumber::parse(" １１０１０５１９４９１２３１００２ｘ ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn disability_card_carries_a_valid_id_and_category_grade() {
        let id = make_id("510821", Date::new(1980, 5, 6).unwrap(), 12, Sex::Male);
        assert!(PersonId::parse(IdKind::DisabilityCard, &format!("{id}42"), today()).is_ok());
        assert!(PersonId::parse(IdKind::DisabilityCard, &format!("{id}42B1"), today()).is_ok());
        assert_eq!(
            PersonId::parse(IdKind::DisabilityCard, &format!("{id}92"), today()),
            Err(IdError::DisabilitySuffix)
        );
        assert_eq!(
            PersonId::parse(IdKind::DisabilityCard, &id, today()),
            Err(IdError::Length)
        );
    }

    #[test]
    fn a_masked_number_is_refused_as_masked_whatever_its_kind() {
        let today = Date::new(2025, 1, 1).unwrap();
        for kind in IdKind::ALL {
            assert_eq!(
                PersonId::parse(kind, &mask("510821199001011234"), today),
                Err(IdError::Masked)
            );
        }
    }

    #[test]
    fn masking_keeps_four_characters_at_each_end() {
        assert_eq!(mask("510821199001011234"), "5108**********1234");
        assert_eq!(mask("1234"), "***4");
    }

    proptest! {
        #[test]
        fn generated_ids_validate_and_carry_their_birth_date_and_sex(
            days in -20_000i64..20_000, seq in 0u16..1000, male: bool
        ) {
            let birth = Date::from_days(days);
            let sex = if male { Sex::Male } else { Sex::Female };
            let id = IdNumber::parse(&make_id("510821", birth, seq, sex), today()).unwrap();
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.sex(), sex);
        }

        #[test]
        fn changing_any_one_digit_breaks_the_check(days in -20_000i64..20_000, pos in 0usize..17, delta in 1u8..10) {
            let id = make_id("510821", Date::from_days(days), 7, Sex::Male);
            let mut b = id.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(b).unwrap();
            prop_assert!(IdNumber::parse(&changed, today()).is_err());
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,30}") {
            let _ = PersonId::parse(IdKind::ResidentId, &s, today());
            let _ = PersonId::parse(IdKind::DisabilityCard, &s, today());
            let _ = PersonId::parse(IdKind::Other, &s, today());
        }
    }
}
