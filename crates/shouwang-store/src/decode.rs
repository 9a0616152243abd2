//! Reading stored rows back into typed records. A value that does not parse (an unknown code, a
//! bad date, a NULL where a number must be) is an error naming its table and column: never a
//! default, which would hide a damaged or newer database behind plausible data.

use crate::db::Row;
use crate::StoreError;
use shouwang_core::{Date, RegionCode};

/// What a row is read through: a [`Row`], or a backend's own row read in place (the ledger
/// export reads SQLite rows without building a [`Row`]). Lenient by design; [`Fields`] is the
/// strict reader records are built with.
pub(crate) trait Cells {
    fn text(&self, i: usize) -> String;
    fn opt_text(&self, i: usize) -> Option<String>;
    fn int(&self, i: usize) -> i64;
    fn opt_int(&self, i: usize) -> Option<i64>;
}

impl Cells for Row {
    fn text(&self, i: usize) -> String {
        Row::text(self, i)
    }
    fn opt_text(&self, i: usize) -> Option<String> {
        Row::opt_text(self, i)
    }
    fn int(&self, i: usize) -> i64 {
        Row::int(self, i)
    }
    fn opt_int(&self, i: usize) -> Option<i64> {
        Row::opt_int(self, i)
    }
}

/// The columns of one table in a row, from position `at` on, named as in `columns` (the
/// comma-separated list the query selected), so that a bad value names its column.
pub(crate) struct Fields<'r, C> {
    row: &'r C,
    table: &'static str,
    columns: &'static str,
    at: usize,
}

impl<'r, C: Cells> Fields<'r, C> {
    pub(crate) fn new(row: &'r C, table: &'static str, columns: &'static str, at: usize) -> Self {
        Fields {
            row,
            table,
            columns,
            at,
        }
    }

    /// The error for column `i`, which holds `value`.
    pub(crate) fn bad(&self, i: usize, value: Option<String>) -> StoreError {
        let column = self
            .columns
            .split(',')
            .nth(i)
            .map_or_else(|| format!("#{i}"), |c| c.trim().to_string());
        StoreError::Corrupt {
            table: self.table,
            column,
            value: value.unwrap_or_else(|| "NULL".into()),
        }
    }

    /// A text column (NULL reads as empty: text columns hold '' for "not given").
    pub(crate) fn text(&self, i: usize) -> String {
        self.row.text(self.at + i)
    }
    pub(crate) fn opt_text(&self, i: usize) -> Option<String> {
        self.row.opt_text(self.at + i)
    }
    /// A number that must be there.
    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.row
            .opt_int(self.at + i)
            .ok_or_else(|| self.bad(i, self.opt_text(i)))
    }
    /// A number or NULL (a value that is not a number is an error).
    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.opt_text(i) {
            None => Ok(None),
            Some(_) => self.int(i).map(Some),
        }
    }
    pub(crate) fn bool(&self, i: usize) -> Result<bool, StoreError> {
        match self.int(i)? {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(self.bad(i, Some(n.to_string()))),
        }
    }
    /// A stored code of a code list (`from` is the list's `from_code`).
    pub(crate) fn code<T>(
        &self,
        i: usize,
        from: impl Fn(i64) -> Option<T>,
    ) -> Result<T, StoreError> {
        let n = self.int(i)?;
        from(n).ok_or_else(|| self.bad(i, Some(n.to_string())))
    }
    /// A stored code or NULL.
    pub(crate) fn opt_code<T>(
        &self,
        i: usize,
        from: impl Fn(i64) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_int(i)? {
            None => Ok(None),
            Some(n) => from(n)
                .map(Some)
                .ok_or_else(|| self.bad(i, Some(n.to_string()))),
        }
    }
    /// A text column parsed by `parse`.
    pub(crate) fn parsed<T>(
        &self,
        i: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let t = self.text(i);
        parse(&t).ok_or_else(|| self.bad(i, Some(t)))
    }
    /// A text column parsed by `parse`, or NULL (or empty).
    pub(crate) fn opt_parsed<T>(
        &self,
        i: usize,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        match self.opt_text(i).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => parse(&t).map(Some).ok_or_else(|| self.bad(i, Some(t))),
        }
    }
    /// A date written `YYYY-MM-DD`.
    pub(crate) fn date(&self, i: usize) -> Result<Date, StoreError> {
        self.parsed(i, Date::parse)
    }
    pub(crate) fn opt_date(&self, i: usize) -> Result<Option<Date>, StoreError> {
        self.opt_parsed(i, Date::parse)
    }
    /// A region code in its canonical form.
    pub(crate) fn region(&self, i: usize) -> Result<RegionCode, StoreError> {
        self.parsed(i, RegionCode::from_canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    #[test]
    fn a_value_that_does_not_parse_names_its_table_and_column() {
        let row = Row(vec![
            Value::Text(Some("x".into())),
            Value::Int(Some(7)),
            Value::Text(Some("2026-13-40".into())),
            Value::Int(None),
        ]);
        let f = Fields::new(&row, "members", "name, sex, birth_date, relation", 0);
        let sex = f.code(1, |n| (n == 1).then_some("男")).unwrap_err();
        assert_eq!(
            sex.to_string(),
            "stored value '7' in members.sex does not parse"
        );
        let born = f.date(2).unwrap_err();
        assert_eq!(
            born.to_string(),
            "stored value '2026-13-40' in members.birth_date does not parse"
        );
        assert!(f
            .int(3)
            .unwrap_err()
            .to_string()
            .contains("'NULL' in members.relation"));
        assert_eq!(f.opt_code(3, Some).unwrap(), None);
    }
}
