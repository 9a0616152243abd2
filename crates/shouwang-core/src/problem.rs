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
