//! The two interface languages, side by side at each use: `l.t("户", "Household")`.
//! Keeping both strings together means a page can never show a missing key.

use shouwang_core::Lang;

#[derive(Clone, Copy, Debug)]
pub struct L(pub Lang);

impl L {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.0 {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    pub fn tag(&self) -> &'static str {
        self.0.tag()
    }
    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

/// A yes/no cell.
pub fn yes_no(l: &L, v: bool) -> &'static str {
    match (l.0, v) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}
