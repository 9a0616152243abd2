//! User-facing validation problems: a stable code, the field it concerns, and the sentence in
//! Chinese and English, so that the API returns the code and each page shows its own language.
//! The codes themselves, with what each means and its HTTP status, are in [`catalogue`].

pub mod catalogue;

pub use catalogue::{ProblemCode, Status};

use serde::Serialize;
use std::fmt;

/// The interface languages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Lang {
    /// 简体中文 (default)
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// One thing wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable, machine-readable code; serialized as its text, e.g. `id_number.invalid`.
    pub code: ProblemCode,
    /// The field, e.g. `household_no` or `members[2].id_number`.
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub fn new(
        code: ProblemCode,
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Problem {
        Problem {
            code,
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
    /// The same problem, placed under a member's index (`name` → `members[2].name`).
    pub fn under(mut self, prefix: &str) -> Problem {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} / {}", self.field, self.zh, self.en)
    }
}

/// Checks a free-text field: no control character (a NUL, which PostgreSQL cannot store, or
/// any other besides tab, line feed and carriage return), and its length in characters (not
/// bytes) at most `max`. `None` if it is fine. Every free-text field of a household and its
/// members goes through here, whichever way it comes in (page, API, ledger).
pub fn free_text(field: &str, label_zh: &str, value: &str, max: usize) -> Option<Problem> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Some(Problem::new(
            ProblemCode::TextControl,
            field,
            format!("{label_zh}含有不可见的控制字符"),
            format!("{field} holds an invisible control character"),
        ));
    }
    too_long(field, label_zh, value, max)
}

/// Checks a free-text field's length in characters (not bytes); `None` if it fits.
pub fn too_long(field: &str, label_zh: &str, value: &str, max: usize) -> Option<Problem> {
    let n = value.chars().count();
    (n > max).then(|| {
        Problem::new(
            ProblemCode::TextTooLong,
            field,
            format!("{label_zh}过长：{n}个字符，最多{max}个"),
            format!("{field} is too long: {n} characters, at most {max}"),
        )
    })
}

#[cfg(test)]
mod free_text_tests {
    use super::*;

    #[test]
    fn a_text_with_a_nul_or_another_control_character_is_refused_and_line_breaks_are_not() {
        let p = free_text("address", "家庭住址", "9组\u{0}96号", 200).unwrap();
        assert_eq!(
            (p.code, p.field.as_str()),
            (ProblemCode::TextControl, "address")
        );
        assert!(free_text("address", "家庭住址", "9组\u{7}", 200).is_some());
        assert_eq!(free_text("address", "家庭住址", "9组\n96号\t", 200), None);
        assert_eq!(
            free_text("group", "组", "一二三", 2).map(|p| p.code),
            Some(ProblemCode::TextTooLong)
        );
    }
}
