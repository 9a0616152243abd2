//! 帮扶责任人 and 家庭签约医生: the people paired with households, with the fields the national
//! form keeps for an assistance person (姓名、性别、政治面貌、帮扶(选派)单位名称、帮扶开始时间、
//! 帮扶结束时间、联系电话; research §6). A pairing is dated; a reassignment ends one pairing and
//! starts another, so that the history stays.

use crate::codes::{Political, Sex};
use crate::date::Date;
use crate::problem::{Problem, ProblemCode};
use crate::visit::Position;
use serde::{Deserialize, Serialize};

/// A person paired with households: an assistance person (帮扶责任人) or a family doctor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistancePerson {
    /// [`Position::AssistancePerson`] or [`Position::FamilyDoctor`]
    pub position: Position,
    pub name: String,
    pub sex: Option<Sex>,
    pub political: Option<Political>,
    /// 帮扶(选派)单位名称
    pub unit: String,
    pub phone: String,
}

/// A person's pairing with a household, from `start` to `end` (`None` while it lasts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub person_id: i64,
    pub household_no: String,
    pub start: Date,
    pub end: Option<Date>,
}

impl AssistancePerson {
    /// The person's own fields: a name, a position that pairs with households (帮扶责任人 or
    /// 家庭签约医生), a phone number a cadre can dial.
    pub fn check(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Problem::new(
                ProblemCode::NameMissing,
                "name",
                "姓名不能为空",
                "the name is required",
            ));
        }
        if !matches!(
            self.position,
            Position::AssistancePerson | Position::FamilyDoctor
        ) {
            out.push(Problem::new(
                ProblemCode::Invalid,
                "position",
                format!(
                    "职务应为帮扶责任人或家庭签约医生，而不是{}",
                    self.position.label_zh()
                ),
                format!(
                    "the position must be assistance person or family doctor, not {}",
                    self.position.label_en()
                ),
            ));
        }
        crate::household::check_phone("phone", &self.phone, &mut out);
        out
    }
}

impl Pairing {
    /// Whether the pairing is in force on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// The pairing's own dates: it cannot end before it starts.
    pub fn check_dates(&self) -> Result<(), Problem> {
        match self.end {
            Some(end) if end < self.start => Err(Problem::new(
                ProblemCode::PairingDates,
                "end",
                format!("结束日期{end}早于开始日期{}", self.start),
                format!("the end {end} is before the start {}", self.start),
            )),
            _ => Ok(()),
        }
    }

    /// Whether two pairings share a day.
    pub fn overlaps(&self, other: &Pairing) -> bool {
        let ends_after = |p: &Pairing, day: Date| p.end.is_none_or(|e| e >= day);
        ends_after(self, other.start) && ends_after(other, self.start)
    }

    /// A new pairing against the person's other pairings with the same household: its dates,
    /// and no day in common with any of them.
    pub fn check_against(&self, others: &[Pairing]) -> Result<(), Problem> {
        self.check_dates()?;
        let clash = others.iter().find(|o| {
            o.person_id == self.person_id && o.household_no == self.household_no && self.overlaps(o)
        });
        match clash {
            Some(o) => {
                let until = |e: Option<Date>| e.map_or_else(|| "今".to_string(), |d| d.to_string());
                let until_en =
                    |e: Option<Date>| e.map_or_else(|| "now".to_string(), |d| d.to_string());
                Err(Problem::new(
                    ProblemCode::PairingOverlap,
                    "start",
                    format!(
                        "该帮扶人与户{}已有{}至{}的结对，与新结对重叠",
                        self.household_no,
                        o.start,
                        until(o.end)
                    ),
                    format!(
                        "the person is already paired with household {} from {} to {}, which overlaps",
                        self.household_no,
                        o.start,
                        until_en(o.end)
                    ),
                ))
            }
            None => Ok(()),
        }
    }
}

/// Reassignment (调整帮扶人): the current pairing ends the day before the new one starts. Returns
/// the current pairing's end; refused when the new start is not after the current start.
pub fn reassignment_end(current: &Pairing, new_start: Date) -> Result<Date, Problem> {
    let end = new_start.add_days(-1);
    if end < current.start {
        return Err(Problem::new(
            ProblemCode::PairingDates,
            "start",
            format!(
                "新结对应晚于现结对的开始日期{}（现结对将于前一天结束）",
                current.start
            ),
            format!(
                "the new pairing must start after the current one's start {} (which ends the day before)",
                current.start
            ),
        ));
    }
    if let Some(e) = current.end {
        if e < end {
            return Ok(e);
        }
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }
    fn pairing(start: &str, end: Option<&str>) -> Pairing {
        Pairing {
            person_id: 1,
            household_no: "H1".into(),
            start: d(start),
            end: end.map(d),
        }
    }
    fn person(name: &str, phone: &str) -> AssistancePerson {
        AssistancePerson {
            position: Position::AssistancePerson,
            name: name.into(),
            sex: None,
            political: None,
            unit: "县农业农村局".into(),
            phone: phone.into(),
        }
    }

    #[test]
    fn a_person_needs_a_name_and_a_dialable_phone() {
        assert!(person("张三", "13800000000").check().is_empty());
        assert!(person("张三", "").check().is_empty());
        let p = person(" ", "12345");
        let codes: Vec<_> = p.check().iter().map(|p| p.code).collect();
        assert_eq!(codes, [ProblemCode::NameMissing, ProblemCode::PhoneInvalid]);
        let mut secretary = person("李四", "");
        secretary.position = Position::VillageSecretary;
        assert_eq!(secretary.check()[0].field, "position");
    }

    #[test]
    fn a_pairing_cannot_end_before_it_starts() {
        assert!(pairing("2026-03-01", Some("2026-03-01"))
            .check_dates()
            .is_ok());
        let p = pairing("2026-03-02", Some("2026-03-01"))
            .check_dates()
            .unwrap_err();
        assert_eq!(p.code, ProblemCode::PairingDates);
        assert!(p.zh.contains("2026-03-01") && p.zh.contains("2026-03-02"));
    }

    #[test]
    fn overlapping_pairings_of_the_same_person_and_household_are_refused() {
        let old = pairing("2026-01-01", Some("2026-03-31"));
        // touching on the last day overlaps; the day after does not
        let p = pairing("2026-03-31", None).check_against(std::slice::from_ref(&old));
        assert_eq!(p.unwrap_err().code, ProblemCode::PairingOverlap);
        assert!(pairing("2026-04-01", None)
            .check_against(std::slice::from_ref(&old))
            .is_ok());
        // an open pairing overlaps everything after its start
        let open = pairing("2026-01-01", None);
        assert!(pairing("2030-01-01", Some("2030-02-01"))
            .check_against(std::slice::from_ref(&open))
            .is_err());
        assert!(pairing("2025-01-01", Some("2025-12-31"))
            .check_against(std::slice::from_ref(&open))
            .is_ok());
        // another household or another person does not clash
        let mut other = open.clone();
        other.household_no = "H2".into();
        assert!(pairing("2026-02-01", None).check_against(&[other]).is_ok());
        let mut other = open;
        other.person_id = 2;
        assert!(pairing("2026-02-01", None).check_against(&[other]).is_ok());
    }

    #[test]
    fn reassignment_ends_the_current_pairing_the_day_before() {
        let cur = pairing("2026-01-10", None);
        assert_eq!(
            reassignment_end(&cur, d("2026-05-01")).unwrap(),
            d("2026-04-30")
        );
        assert_eq!(
            reassignment_end(&cur, d("2026-01-11")).unwrap(),
            d("2026-01-10")
        );
        assert_eq!(
            reassignment_end(&cur, d("2026-01-10")).unwrap_err().code,
            ProblemCode::PairingDates
        );
        assert!(cur.covers(d("2026-01-10")) && !cur.covers(d("2026-01-09")));
    }
}
