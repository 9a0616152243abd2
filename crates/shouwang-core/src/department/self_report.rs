//! 农户自主申报: what a household sends from the public page, checked the same way in the browser's
//! form attributes and here (research §9.3: head's name, mobile, ID number, area, risk type and
//! a description of the difficulty).

use crate::date::Date;
use crate::id_number::IdNumber;
use crate::monitoring::RiskType;
use crate::problem::{free_text, Problem, ProblemCode};
use crate::region::{RegionCode, RegionLevel};

/// At most this many characters of description, and of the head's name.
pub const MAX_DESCRIPTION: usize = 500;
pub const MAX_NAME: usize = 20;

/// A self-report as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelfReportForm {
    pub head_name: String,
    pub mobile: String,
    pub id_number: String,
    pub village: String,
    pub risk: Option<RiskType>,
    pub description: String,
}

/// A self-report that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelfReport {
    pub head_name: String,
    pub mobile: String,
    pub id_number: IdNumber,
    pub village: RegionCode,
    pub risk: RiskType,
    pub description: String,
}

/// Whether `text` is a mainland mobile number: 11 digits starting with 1.
pub fn mobile_ok(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 11 && b[0] == b'1' && b.iter().all(u8::is_ascii_digit)
}

impl SelfReportForm {
    /// Checks every field and answers every problem at once.
    pub fn check(&self, today: Date) -> Result<SelfReport, Vec<Problem>> {
        let mut out = Vec::new();
        let name = self.head_name.trim();
        if name.is_empty() {
            out.push(Problem::new(
                ProblemCode::ReportFieldMissing,
                "head_name",
                "请填写户主姓名",
                "the head's name is required",
            ));
        }
        out.extend(free_text("head_name", "户主姓名", name, MAX_NAME));
        let mobile = self.mobile.trim();
        if !mobile_ok(mobile) {
            out.push(Problem::new(
                ProblemCode::ReportMobile,
                "mobile",
                "手机号码须为11位数字、以1开头",
                "a mobile number has 11 digits and starts with 1",
            ));
        }
        let id = IdNumber::parse(&self.id_number, today);
        if let Err(e) = &id {
            out.push(Problem::new(
                ProblemCode::IdNumberInvalid,
                "id_number",
                format!("身份证号无效：{}", e.zh()),
                format!("the ID number is invalid: {e}"),
            ));
        }
        let village =
            RegionCode::parse(self.village.trim()).filter(|v| v.level() == RegionLevel::Village);
        if village.is_none() {
            out.push(Problem::new(
                ProblemCode::ReportFieldMissing,
                "village",
                "请选择所在村",
                "choose the village",
            ));
        }
        if self.risk.is_none() {
            out.push(Problem::new(
                ProblemCode::ReportFieldMissing,
                "risk",
                "请选择困难类型",
                "choose the kind of difficulty",
            ));
        }
        let description = self.description.trim();
        if description.is_empty() {
            out.push(Problem::new(
                ProblemCode::ReportFieldMissing,
                "description",
                "请简要说明家庭困难情况",
                "describe the household's difficulty",
            ));
        }
        out.extend(free_text(
            "description",
            "困难情况",
            description,
            MAX_DESCRIPTION,
        ));
        match (id, village, self.risk) {
            (Ok(id_number), Some(village), Some(risk)) if out.is_empty() => Ok(SelfReport {
                head_name: name.to_string(),
                mobile: mobile.to_string(),
                id_number,
                village,
                risk,
                description: description.to_string(),
            }),
            _ => Err(out),
        }
    }
}

/// Letters of a receipt: digits and upper-case letters a person does not misread (no 0/O, 1/I/L).
const RECEIPT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A receipt number: the day and eight characters drawn from `random` (the caller's random
/// bits), e.g. `SB20261201-7K3M9QXA`; the status page also asks for the mobile number.
pub fn receipt(today: Date, mut random: u64) -> String {
    let mut tail = String::with_capacity(8);
    for _ in 0..8 {
        let n = RECEIPT_ALPHABET.len() as u64;
        tail.push(RECEIPT_ALPHABET[(random % n) as usize] as char);
        random /= n;
    }
    format!(
        "SB{:04}{:02}{:02}-{tail}",
        today.year(),
        today.month(),
        today.day()
    )
}

/// A receipt as typed back: upper-case, without spaces.
pub fn normalise_receipt(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 12, 1).unwrap()
    }
    fn form() -> SelfReportForm {
        SelfReportForm {
            head_name: "王大山".into(),
            mobile: "13800001234".into(),
            id_number: "510821199001011235".into(),
            village: "510821100001".into(),
            risk: Some(RiskType::Illness),
            description: "父亲住院，花费很大".into(),
        }
    }

    #[test]
    fn a_complete_report_passes() {
        let r = form().check(today()).unwrap();
        assert_eq!(r.village.as_str(), "510821100001");
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut f = form();
        f.mobile = "1380000123".into();
        f.id_number = "510821199001011230".into();
        f.village = "510821100".into();
        f.description = "x".repeat(MAX_DESCRIPTION + 1);
        let p = f.check(today()).unwrap_err();
        let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["mobile", "id_number", "village", "description"]);
        assert!(!mobile_ok("23800001234"));
        assert!(mobile_ok("19912345678"));
    }

    #[test]
    fn receipts_differ_with_the_random_bits_and_read_back_typed_loosely() {
        let a = receipt(today(), 1);
        let b = receipt(today(), 2);
        assert_ne!(a, b);
        assert!(a.starts_with("SB20261201-"));
        assert_eq!(normalise_receipt(&format!(" {} ", a.to_lowercase())), a);
    }
}
