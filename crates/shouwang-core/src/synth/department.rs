//! Department files with known truth (部门数据与标准答案): for a generated county, a file of each
//! [`DeptKind`] whose rows the generator chose one by one — this person's settlements sum to one
//! fen above the alert line, that one's to exactly the line, this ID number belongs to nobody,
//! that amount is not a number — and the [`Truth`] those choices imply: which persons must alert
//! by which rule, which rows must be queued unmatched and why, and the batch's counts.
//!
//! The truth is written down from the generator's own choices, never by running the alert rules
//! (`department::alert::evaluate`), so an import is checked against an independent answer.
//!
//! Rows are numbered as a file numbers them: the header is row 1, the first data row
//! [`FIRST_ROW`]. [`medical_rows`] streams a large 医保 file (millions of settlements) to a sink
//! without holding it, for the benchmark.

use super::Rng;
use crate::codes::{HouseholdType, LabourCapacity, Relation, Sex};
use crate::date::Date;
use crate::department::alert::{DeptRule, Thresholds};
use crate::department::{DeptKind, UnmatchedReason};
use crate::household::{Household, Member};
use crate::id_number::make_id;
use crate::monitoring::RiskType;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The file row of the first data row (the header is row 1).
pub const FIRST_ROW: u64 = 2;

/// The ID numbers' area of persons nobody registered (北京市东城区): valid, and never in a
/// synthetic county of Sichuan.
const NOBODY_AREA: &str = "110101";

/// What the generator needs to know of the county a file is for.
#[derive(Clone, Copy, Debug)]
pub struct DeptCounty<'a> {
    /// The county's households and members, as [`super::generate`] made them
    pub data: &'a [(Household, Vec<Member>)],
    /// 户编号 of the households whose members count as registered (a 脱贫户 or a household with
    /// an open monitoring case): the lower 医保 line applies to them
    pub registered: &'a HashSet<String>,
    /// Households of another county in the same database (their members are outside the
    /// batch's region); may be empty
    pub outside: &'a [(Household, Vec<Member>)],
    /// The thresholds in force for the county's year
    pub thresholds: Thresholds,
    pub today: Date,
}

/// What importing a file must give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Truth {
    /// data rows
    pub rows: u64,
    /// rows matched to a member of the county
    pub matched: u64,
    /// rows of no member of the region (not found, outside the region)
    pub unmatched: u64,
    /// rows that could not be read (invalid ID number, invalid value)
    pub invalid: u64,
    /// (ID number, rule) of every alert the file must raise, and no other
    pub alerts: BTreeSet<(String, DeptRule)>,
    /// File row → reason of every row that must be queued, and no other
    pub queued: BTreeMap<u64, UnmatchedReason>,
    /// The 户编号 of each alerting person
    pub households: BTreeMap<String, String>,
}

impl Truth {
    /// (户编号, risk) of the alerts: the leads they raise or join.
    pub fn leads(&self) -> BTreeSet<(String, RiskType)> {
        self.alerts
            .iter()
            .filter_map(|(id, rule)| Some((self.households.get(id)?.clone(), rule.risk())))
            .collect()
    }
}

/// A department file and what importing it must give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeptFile {
    pub kind: DeptKind,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub truth: Truth,
}

/// What a generated row must become.
#[derive(Clone, Debug)]
enum Expect {
    /// matched; `alert` when the person must alert (once per person and rule)
    Matched {
        id: String,
        household: String,
        alert: Option<DeptRule>,
    },
    Queued(UnmatchedReason),
}

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// 分 as 元 the way departments write them: `1234.56`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The header of a kind's generated file (the built-in profile's usual names, an alias or two).
pub fn header(kind: DeptKind) -> Vec<String> {
    cells(match kind {
        DeptKind::Medical => &["证件号码", "姓名", "结算日期", "医疗总费用", "合规自付"],
        DeptKind::Roster => &[
            "证件号码",
            "姓名",
            "救助类型",
            "起始月份",
            "终止月份",
            "金额",
        ],
        DeptKind::Disability => &["证件号码", "姓名", "残疾类别", "残疾等级", "办证日期"],
        DeptKind::Education => &[
            "身份证号",
            "姓名",
            "学校",
            "年级",
            "就学状态",
            "自付费用",
            "变动日期",
        ],
        DeptKind::Housing => &["户主证件号码", "户主姓名", "鉴定等级", "鉴定日期"],
        DeptKind::Disaster => &["证件号码", "姓名", "灾种", "受灾日期", "损失金额"],
        DeptKind::Employment => &["证件号码", "姓名", "就业状态", "登记日期", "月收入"],
        DeptKind::Police => &["证件号码", "姓名", "事件", "日期"],
        DeptKind::Assets => &["证件号码", "姓名", "资产类型", "说明", "登记日期"],
    })
}

/// A person of the county: household index, member index.
type Who = (usize, usize);

struct Gen<'a> {
    c: &'a DeptCounty<'a>,
    rng: Rng,
    used: HashSet<Who>,
    out: Vec<(Vec<String>, Expect)>,
}

impl<'a> Gen<'a> {
    fn member(&self, w: Who) -> &'a Member {
        &self.c.data[w.0].1[w.1]
    }
    fn household(&self, w: Who) -> &'a Household {
        &self.c.data[w.0].0
    }

    /// Up to `n` unused persons that pass `keep`, picked at random; marked used.
    fn pick(&mut self, n: usize, keep: impl Fn(&Household, &Member) -> bool) -> Vec<Who> {
        let mut all: Vec<Who> = Vec::new();
        for (i, (h, ms)) in self.c.data.iter().enumerate() {
            for (j, m) in ms.iter().enumerate() {
                if m.is_alive() && !self.used.contains(&(i, j)) && keep(h, m) {
                    all.push((i, j));
                }
            }
        }
        let mut out = Vec::new();
        while out.len() < n && !all.is_empty() {
            let k = (self.rng.next_u64() % all.len() as u64) as usize;
            let w = all.swap_remove(k);
            // one person per household and pick, so that household facts stay apart
            if out.iter().any(|o: &Who| o.0 == w.0) {
                continue;
            }
            self.used.insert(w);
            out.push(w);
        }
        out
    }

    /// A date of this year before today, `back` days or so before it.
    fn date(&mut self, back: i64) -> Date {
        let today = self.c.today;
        let start = Date::new(today.year(), 1, 1).unwrap_or(today);
        let d = today.add_days(-self.rng.range(1, back.max(1)));
        if d < start {
            start
        } else {
            d
        }
    }

    fn matched(&mut self, w: Who, row: Vec<String>, alert: Option<DeptRule>) {
        let id = self.member(w).id_number.clone();
        let household = self.household(w).household_no.clone();
        self.out.push((
            row,
            Expect::Matched {
                id,
                household,
                alert,
            },
        ));
    }

    fn queued(&mut self, row: Vec<String>, reason: UnmatchedReason) {
        self.out.push((row, Expect::Queued(reason)));
    }
}

/// Builds the file of `kind` for `county`, deterministic from `seed`.
pub fn department_file(county: &DeptCounty<'_>, kind: DeptKind, seed: u64) -> DeptFile {
    let mut g = Gen {
        c: county,
        rng: Rng::new(seed ^ (0xde9a_0000 + kind.code() as u64)),
        used: HashSet::new(),
        out: Vec::new(),
    };
    let t = county.thresholds;
    let today = county.today;
    // a valid, non-alerting row of the kind for an ID number (for the unmatched rows)
    let plain = |id: &str, name: &str, d: Date| -> Vec<String> {
        let d = d.to_string();
        let v: Vec<&str> = match kind {
            DeptKind::Medical => vec![id, name, &d, "300.00", "120.50"],
            DeptKind::Roster => vec![id, name, "低保", &d, "", "400"],
            DeptKind::Disability => vec![id, name, "肢体", "二级", &d],
            DeptKind::Education => vec![id, name, "县第一中学", "高一", "在读", "800", &d],
            DeptKind::Housing => vec![id, name, "C级", &d],
            DeptKind::Disaster => vec![id, name, "洪涝", &d, "50000"],
            DeptKind::Employment => vec![id, name, "失业", &d, ""],
            DeptKind::Police => vec![id, name, "死亡", &d],
            DeptKind::Assets => vec![id, name, "车辆", "小型轿车", &d],
        };
        cells(&v)
    };
    match kind {
        DeptKind::Medical => medical(&mut g, &t),
        DeptKind::Roster => roster(&mut g),
        DeptKind::Disability => disability(&mut g),
        DeptKind::Education => education(&mut g, &t),
        DeptKind::Housing => housing(&mut g),
        DeptKind::Disaster => disaster(&mut g, &t),
        DeptKind::Employment => employment(&mut g),
        DeptKind::Police => police(&mut g),
        DeptKind::Assets => assets(&mut g),
    }

    // rows of nobody: valid ID numbers of persons not registered anywhere
    for k in 0..2u16 {
        let birth = Date::new(1960 + i32::from(k) * 17, 3, 9).unwrap_or(today);
        let id = make_id(NOBODY_AREA, birth, 37 + k, Sex::Female);
        let d = g.date(200);
        g.queued(plain(&id, "查无此人", d), UnmatchedReason::NotFound);
    }
    // rows of members of another county: in the database, outside the region
    let mut outside: Vec<&Member> = county
        .outside
        .iter()
        .flat_map(|(_, ms)| ms.iter())
        .filter(|m| m.is_alive())
        .collect();
    for _ in 0..2 {
        if outside.is_empty() {
            break;
        }
        let k = (g.rng.next_u64() % outside.len() as u64) as usize;
        let m = outside.swap_remove(k);
        let d = g.date(200);
        g.queued(
            plain(&m.id_number, &m.name, d),
            UnmatchedReason::OutsideRegion,
        );
    }
    // unreadable ID numbers: a wrong check digit; digits lost to scientific notation
    for w in g.pick(2, |_, _| true).into_iter().enumerate() {
        let (n, w) = w;
        let m = g.member(w);
        let id = if n == 0 {
            let mut s: Vec<u8> = m.id_number.as_bytes().to_vec();
            let last = s[17];
            s[17] = if last == b'0' { b'1' } else { b'0' };
            String::from_utf8(s).unwrap_or_default()
        } else {
            format!("{}.{}E+17", &m.id_number[..1], &m.id_number[1..15])
        };
        let name = m.name.clone();
        let d = g.date(200);
        g.queued(plain(&id, &name, d), UnmatchedReason::InvalidId);
    }

    // shuffle, then number the rows as the file will
    let mut out = std::mem::take(&mut g.out);
    for i in (1..out.len()).rev() {
        let j = (g.rng.next_u64() % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    let mut truth = Truth::default();
    let mut rows = Vec::with_capacity(out.len());
    for (i, (row, expect)) in out.into_iter().enumerate() {
        let row_no = FIRST_ROW + i as u64;
        truth.rows += 1;
        match expect {
            Expect::Matched {
                id,
                household,
                alert,
            } => {
                truth.matched += 1;
                if let Some(rule) = alert {
                    truth.households.insert(id.clone(), household);
                    truth.alerts.insert((id, rule));
                }
            }
            Expect::Queued(reason) => {
                match reason {
                    UnmatchedReason::NotFound | UnmatchedReason::OutsideRegion => {
                        truth.unmatched += 1
                    }
                    UnmatchedReason::InvalidId | UnmatchedReason::InvalidRow => truth.invalid += 1,
                }
                truth.queued.insert(row_no, reason);
            }
        }
        rows.push(row);
    }
    DeptFile {
        kind,
        header: header(kind),
        rows,
        truth,
    }
}

/// Splits `total` 分 into `n` positive parts.
fn split(rng: &mut Rng, total: i64, n: usize) -> Vec<i64> {
    let n = n.max(1).min(total.max(1) as usize);
    let mut cuts: Vec<i64> = (1..n).map(|_| rng.range(1, total - 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for c in cuts {
        out.push(c - last);
        last = c;
    }
    out.push(total - last);
    out
}

/// 医保: persons whose settlements sum to one fen above their line (alert), exactly to it (no
/// alert), small sums; a bad amount, a bad date, a date after today.
fn medical(g: &mut Gen<'_>, t: &Thresholds) {
    let reg_line = t.medical_line(true).0;
    let other_line = t.medical_line(false).0;
    // 脱贫户 without policies are left out: whether they count as registered is the import's call
    let clear = |h: &Household| h.household_type != HouseholdType::PostPovertyNoPolicy;
    let reg = {
        let r = g.c.registered;
        move |h: &Household, _: &Member| clear(h) && r.contains(&h.household_no)
    };
    let other = {
        let r = g.c.registered;
        move |h: &Household, _: &Member| {
            clear(h) && h.household_type == HouseholdType::Ordinary && !r.contains(&h.household_no)
        }
    };
    let person = |g: &mut Gen<'_>, w: Who, total: i64, alert: bool| {
        let parts = g.rng.range(1, 4) as usize;
        for amount in split(&mut g.rng, total, parts) {
            let m = g.member(w);
            let (id, name) = (m.id_number.clone(), m.name.clone());
            let d = g.date(300).to_string();
            let all = amount + g.rng.range(0, amount);
            let row = cells(&[&id, &name, &d, &yuan(all), &yuan(amount)]);
            g.matched(w, row, None);
        }
        if alert {
            // the alert is the person's, once: the last row carries it
            if let Some((_, Expect::Matched { alert: a, .. })) = g.out.last_mut() {
                *a = Some(DeptRule::MedicalCost);
            }
        }
    };
    for w in g.pick(3, reg) {
        person(g, w, reg_line + 1, true);
    }
    for w in g.pick(2, reg) {
        person(g, w, reg_line, false);
    }
    // a registered person between the two lines alerts; another person there does not
    for w in g.pick(1, reg) {
        person(g, w, (reg_line + other_line) / 2, reg_line < other_line);
    }
    for w in g.pick(2, other) {
        person(g, w, other_line + 1, true);
    }
    for w in g.pick(2, other) {
        person(g, w, other_line, false);
    }
    for w in g.pick(1, other) {
        person(g, w, reg_line + 1, reg_line >= other_line);
    }
    for w in g.pick(8, |h, _| clear(h)) {
        let total = g.rng.range(100, (reg_line / 4).max(101));
        person(g, w, total, false);
    }
    // bad values: the amount, the date, a date after today
    let bad = g.pick(3, |_, _| true);
    for (k, w) in bad.into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let tomorrow = g.c.today.add_days(1).to_string();
        let d = g.date(100).to_string();
        let row = match k {
            0 => cells(&[&id, &name, &d, "800", "八百元"]),
            1 => cells(&[&id, &name, "2026-13-45", "800", "300"]),
            _ => cells(&[&id, &name, &tomorrow, "800", "300"]),
        };
        g.queued(row, UnmatchedReason::InvalidRow);
    }
}

/// 民政: new rolls (alert) of persons on no roll in the registry; rolls already ended (no alert).
fn roster(g: &mut Gen<'_>) {
    let free = |h: &Household, m: &Member| !m.dibao && !m.tekun && !h.dibao && !h.tekun;
    let rolls = ["农村低保", "特困供养", "低保边缘家庭", "刚性支出困难"];
    for (k, w) in g.pick(4, free).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let start = g.date(200);
        let month = format!("{}-{:02}", start.year(), start.month());
        let row = cells(&[&id, &name, rolls[k % rolls.len()], &month, "", "520"]);
        g.matched(w, row, Some(DeptRule::NewOnRoll));
    }
    // ended before today: no alert
    for w in g.pick(2, free) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let y = g.c.today.year();
        let row = cells(&[
            &id,
            &name,
            "临时救助",
            &format!("{y}-01"),
            &format!("{y}-02"),
            "1500",
        ]);
        g.matched(w, row, None);
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let row = cells(&[&id, &name, "五保户", "2026-03", "", "300"]);
        g.queued(row, UnmatchedReason::InvalidRow);
    }
}

/// 残联: a new grade 1 or 2 (alert) for persons the registry does not know as disabled; grades 3
/// and 4 (no alert).
fn disability(g: &mut Gen<'_>) {
    let unknown = |_: &Household, m: &Member| {
        !m.health.has(crate::codes::HealthCondition::Disabled) && m.disability_category.is_empty()
    };
    for (k, w) in g.pick(3, unknown).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let grade = ["一级", "二级", "2"][k % 3];
        g.matched(
            w,
            cells(&[&id, &name, "肢体", grade, &d]),
            Some(DeptRule::SevereDisability),
        );
    }
    for (k, w) in g.pick(3, |_, _| true).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let grade = ["三级", "四级", "3"][k % 3];
        g.matched(w, cells(&[&id, &name, "视力", grade, &d]), None);
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "肢体", "五级", "2026-03-01"]),
            UnmatchedReason::InvalidRow,
        );
    }
}

/// 教育: dropouts of compulsory-school age, 16 included (alert); dropouts of 17 to 20 (no
/// alert); a cost one fen above the line (alert) and at it (no alert); a suspended pupil.
fn education(g: &mut Gen<'_>, t: &Thresholds) {
    let on = g.c.today.add_days(-20);
    let d = on.to_string();
    let age = move |m: &Member| m.birth_date.age_on(on);
    let line = t.schooling_cost.0;
    let row = |g: &mut Gen<'_>, w: Who, status: &str, cost: &str, alert: Option<DeptRule>| {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let r = cells(&[&id, &name, "县第一中学", "八年级", status, cost, &d]);
        g.matched(w, r, alert);
    };
    for w in g.pick(1, move |_, m| age(m) == 16) {
        row(g, w, "辍学", "", Some(DeptRule::Dropout));
    }
    for w in g.pick(2, move |_, m| (6..=15).contains(&age(m))) {
        row(g, w, "辍学", "", Some(DeptRule::Dropout));
    }
    for w in g.pick(1, move |_, m| age(m) == 17) {
        row(g, w, "辍学", &yuan(line), None);
    }
    for w in g.pick(1, move |_, m| (18..=20).contains(&age(m))) {
        row(g, w, "辍学", "", None);
    }
    for w in g.pick(2, move |_, m| (15..=22).contains(&age(m))) {
        row(g, w, "在读", &yuan(line + 1), Some(DeptRule::SchoolCost));
    }
    for w in g.pick(2, move |_, m| (15..=22).contains(&age(m))) {
        row(g, w, "在读", &yuan(line), None);
    }
    for w in g.pick(1, move |_, m| (7..=15).contains(&age(m))) {
        row(g, w, "休学", "", None);
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "县第一中学", "九年级", "毕业", "", &d]),
            UnmatchedReason::InvalidRow,
        );
    }
}

/// 住建: heads of households appraised C or D (alert), A or B (no alert).
fn housing(g: &mut Gen<'_>) {
    let head = |_: &Household, m: &Member| m.relation == Relation::Head;
    for (k, w) in g.pick(6, head).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let (grade, alert) = [
            ("C级", true),
            ("D", true),
            ("D级危房", true),
            ("A级", false),
            ("B", false),
            ("B级", false),
        ][k];
        g.matched(
            w,
            cells(&[&id, &name, grade, &d]),
            alert.then_some(DeptRule::DangerousHouse),
        );
    }
    for w in g.pick(1, head) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "E级", "2026-05-01"]),
            UnmatchedReason::InvalidRow,
        );
    }
}

/// 应急: losses one fen above the line (alert), at it and below (no alert); a negative loss.
fn disaster(g: &mut Gen<'_>, t: &Thresholds) {
    let line = t.disaster_loss.0;
    for (k, w) in g.pick(6, |_, _| true).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let (loss, alert) = [
            (line + 1, true),
            (line * 3, true),
            (line + 100, true),
            (line, false),
            (line - 1, false),
            (line / 4, false),
        ][k];
        g.matched(
            w,
            cells(&[&id, &name, "洪涝", &d, &yuan(loss)]),
            alert.then_some(DeptRule::DisasterLoss),
        );
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "地震", "2026-05-01", "-300"]),
            UnmatchedReason::InvalidRow,
        );
    }
}

fn able(m: &Member) -> bool {
    m.is_alive() && m.labour.is_some_and(LabourCapacity::can_work)
}

/// 人社: the household's only worker unemployed or back home (alert); an unemployed worker of a
/// household with two (no alert); the only worker employed (no alert).
fn employment(g: &mut Gen<'_>) {
    let counts: std::collections::HashMap<String, usize> =
        g.c.data
            .iter()
            .map(|(h, ms)| {
                (
                    h.household_no.clone(),
                    ms.iter().filter(|m| able(m)).count(),
                )
            })
            .collect();
    let only = {
        let c = counts.clone();
        move |h: &Household, m: &Member| able(m) && c.get(&h.household_no) == Some(&1)
    };
    let two = move |h: &Household, m: &Member| {
        able(m) && counts.get(&h.household_no).is_some_and(|n| *n >= 2)
    };
    for (k, w) in g.pick(3, &only).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let status = ["失业", "返乡", "失业"][k];
        g.matched(
            w,
            cells(&[&id, &name, status, &d, ""]),
            Some(DeptRule::OnlyWorkerUnemployed),
        );
    }
    for w in g.pick(1, &only) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        g.matched(w, cells(&[&id, &name, "就业", &d, "3500"]), None);
    }
    for w in g.pick(2, two) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        g.matched(w, cells(&[&id, &name, "失业", &d, ""]), None);
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "退休", "2026-05-01", ""]),
            UnmatchedReason::InvalidRow,
        );
    }
}

/// 公安: deaths of members who are not the head (alert; the registry changes only once a cadre
/// confirms), moves out (alert); an event of no known kind, a missing date.
fn police(g: &mut Gen<'_>) {
    let not_head = |_: &Household, m: &Member| m.relation != Relation::Head;
    for w in g.pick(3, not_head) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(90).max(m.birth_date).to_string();
        g.matched(w, cells(&[&id, &name, "死亡", &d]), Some(DeptRule::Death));
    }
    for w in g.pick(2, not_head) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(90).max(m.birth_date).to_string();
        g.matched(
            w,
            cells(&[&id, &name, "户口迁出", &d]),
            Some(DeptRule::MoveOut),
        );
    }
    for (k, w) in g.pick(2, |_, _| true).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let row = if k == 0 {
            cells(&[&id, &name, "出生", "2026-05-01"])
        } else {
            cells(&[&id, &name, "死亡", ""])
        };
        g.queued(row, UnmatchedReason::InvalidRow);
    }
}

/// 资产核查: evidence only, never an alert.
fn assets(g: &mut Gen<'_>) {
    let kinds = [
        ("车辆", "小型轿车一辆"),
        ("房产", "县城商品房一套"),
        ("工商注册", "个体工商户"),
        ("财政供养", "县教育局在编"),
        ("车辆", "货车一辆"),
    ];
    for (k, w) in g.pick(5, |_, _| true).into_iter().enumerate() {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        let d = g.date(200).to_string();
        let (a, note) = kinds[k];
        g.matched(w, cells(&[&id, &name, a, note, &d]), None);
    }
    for w in g.pick(1, |_, _| true) {
        let m = g.member(w);
        let (id, name) = (m.id_number.clone(), m.name.clone());
        g.queued(
            cells(&[&id, &name, "股票", "", "2026-05-01"]),
            UnmatchedReason::InvalidRow,
        );
    }
}

/// What [`medical_rows`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamCounts {
    pub rows: u64,
    /// rows of ID numbers nobody has
    pub not_found: u64,
    /// rows with a broken ID number or amount
    pub invalid: u64,
}

/// A large 医保 file: `rows` settlements of persons drawn from `ids` (the county's members'
/// ID numbers), about 1 % of persons nobody has and 0.1 % unreadable rows, written one row at a
/// time to `sink` (the header is [`header`]`(Medical)`). Amounts are small (10 to 2,000 元) with
/// a few large bills, so that some persons cross their line. Deterministic from `seed`.
pub fn medical_rows(
    ids: &[String],
    rows: u64,
    seed: u64,
    today: Date,
    sink: &mut dyn FnMut(&[String]),
) -> StreamCounts {
    let mut rng = Rng::new(seed ^ 0x00e0_1ca1);
    let mut counts = StreamCounts::default();
    let start = Date::new(today.year(), 1, 1).unwrap_or(today).to_days();
    let span = (today.to_days() - start).max(1);
    let mut row: Vec<String> = vec![String::new(); 5];
    for _ in 0..rows {
        counts.rows += 1;
        let roll = rng.range(0, 999);
        let id = if roll < 10 || ids.is_empty() {
            counts.not_found += 1;
            let birth = Date::from_days(start - rng.range(6_000, 30_000));
            make_id(NOBODY_AREA, birth, rng.range(0, 499) as u16, Sex::Male)
        } else {
            ids[(rng.next_u64() % ids.len() as u64) as usize].clone()
        };
        let amount = if rng.chance(0.01) {
            rng.range(500_000, 3_000_000)
        } else {
            rng.range(1_000, 200_000)
        };
        let date = Date::from_days(start + rng.range(0, span - 1));
        row[0] = id;
        row[1] = String::new();
        row[2] = date.to_string();
        row[3] = yuan(amount + amount / 3);
        row[4] = yuan(amount);
        if roll == 999 {
            counts.invalid += 1;
            row[4] = "待核".to_string();
        }
        sink(&row);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::department::profile::Profile;
    use crate::department::record::read;
    use crate::money::Fen;
    use crate::region::RegionCode;
    use crate::synth::{generate, SynthConfig, SynthVillage};

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }

    fn thresholds() -> Thresholds {
        Thresholds {
            rural_income: Fen::from_yuan(23_119),
            medical_percent_registered: 50,
            medical_percent_others: 100,
            medical_amount_registered: Fen::from_yuan(5_000),
            medical_amount_others: Fen::from_yuan(20_000),
            schooling_cost: Fen::from_yuan(10_000),
            disaster_loss: Fen::from_yuan(10_000),
        }
    }

    fn county(code: &str, seed: u64, n: usize) -> Vec<(Household, Vec<Member>)> {
        let villages = [format!("{code}108212"), format!("{code}115200")].map(|c| SynthVillage {
            code: RegionCode::parse(&c).unwrap(),
            resettlement_site: None,
        });
        generate(
            &SynthConfig {
                households: n,
                seed,
                today: today(),
                county: RegionCode::parse(code).unwrap(),
            },
            &villages,
        )
    }

    #[test]
    fn every_kind_has_alerting_quiet_and_queued_rows_that_read_as_the_truth_says() {
        let data = county("510821", 5, 400);
        let other = county("510822", 6, 20);
        let registered: HashSet<String> = data
            .iter()
            .filter(|(h, _)| h.household_type == HouseholdType::PostPoverty)
            .map(|(h, _)| h.household_no.clone())
            .collect();
        let c = DeptCounty {
            data: &data,
            registered: &registered,
            outside: &other,
            thresholds: thresholds(),
            today: today(),
        };
        let ids: HashSet<&str> = data
            .iter()
            .flat_map(|(_, ms)| ms.iter().map(|m| m.id_number.as_str()))
            .collect();
        for &kind in DeptKind::ALL {
            let f = department_file(&c, kind, 9);
            let t = &f.truth;
            assert_eq!(f, department_file(&c, kind, 9), "deterministic");
            assert_eq!(t.rows as usize, f.rows.len());
            assert_eq!(t.matched + t.unmatched + t.invalid, t.rows);
            assert_eq!(t.unmatched, 4, "{kind:?}: two nobodies, two outsiders");
            assert!(t.invalid >= 3, "{kind:?}");
            assert_eq!(
                t.alerts.is_empty(),
                !kind.alerts(),
                "{kind:?}: {:?}",
                t.alerts
            );
            // every 公安 event alerts; every other kind has rows that must not
            assert!(
                kind == DeptKind::Police || t.matched as usize > t.alerts.len(),
                "{kind:?}: quiet rows too"
            );
            // the rows read as the truth says: the queued invalid ones are refused with their
            // reason, every other one is read
            let map = Profile::builtin(kind).map_header(&f.header).unwrap();
            for (i, row) in f.rows.iter().enumerate() {
                let n = FIRST_ROW + i as u64;
                let r = read(&map, n, row, today());
                match t.queued.get(&n) {
                    Some(UnmatchedReason::InvalidId) | Some(UnmatchedReason::InvalidRow) => {
                        assert_eq!(
                            r.as_ref().err().map(|e| e.reason),
                            t.queued.get(&n).copied(),
                            "{kind:?} row {n}: {row:?}"
                        );
                    }
                    Some(_) => {
                        let rec = r.unwrap();
                        assert!(!ids.contains(rec.id_number.as_str()));
                    }
                    None => {
                        let rec = r.unwrap_or_else(|e| panic!("{kind:?} {row:?}: {e:?}"));
                        assert!(ids.contains(rec.id_number.as_str()));
                    }
                }
            }
            for (id, _) in &t.alerts {
                assert!(t.households.contains_key(id));
            }
        }
    }

    #[test]
    fn medical_sums_sit_on_both_sides_of_each_line() {
        let data = county("510821", 5, 400);
        let registered: HashSet<String> = data
            .iter()
            .filter(|(h, _)| h.household_type == HouseholdType::PostPoverty)
            .map(|(h, _)| h.household_no.clone())
            .collect();
        let c = DeptCounty {
            data: &data,
            registered: &registered,
            outside: &[],
            thresholds: thresholds(),
            today: today(),
        };
        let f = department_file(&c, DeptKind::Medical, 3);
        let map = Profile::builtin(DeptKind::Medical)
            .map_header(&f.header)
            .unwrap();
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for (i, row) in f.rows.iter().enumerate() {
            if let Ok(r) = read(&map, FIRST_ROW + i as u64, row, today()) {
                *sums.entry(r.id_number).or_default() += r.amount.unwrap().0;
            }
        }
        let home: BTreeMap<&str, &str> = data
            .iter()
            .flat_map(|(h, ms)| {
                ms.iter()
                    .map(move |m| (m.id_number.as_str(), h.household_no.as_str()))
            })
            .collect();
        let t = thresholds();
        let mut at_line = 0;
        for (id, sum) in &sums {
            let Some(h) = home.get(id.as_str()) else {
                continue;
            };
            let line = t.medical_line(registered.contains(*h)).0;
            let alerts = f
                .truth
                .alerts
                .contains(&(id.clone(), DeptRule::MedicalCost));
            assert_eq!(alerts, *sum > line, "{id}: {sum} against {line}");
            at_line += usize::from(*sum == line);
        }
        assert!(at_line >= 3, "persons exactly at their line");
        assert_eq!(
            f.truth
                .alerts
                .iter()
                .filter(|(_, r)| *r == DeptRule::MedicalCost)
                .count(),
            6
        );
    }

    #[test]
    fn the_stream_writes_the_rows_it_counts() {
        let ids: Vec<String> = county("510821", 5, 50)
            .iter()
            .flat_map(|(_, ms)| ms.iter().map(|m| m.id_number.clone()))
            .collect();
        let map = Profile::builtin(DeptKind::Medical)
            .map_header(&header(DeptKind::Medical))
            .unwrap();
        let (mut ok, mut bad, mut n) = (0u64, 0u64, 0u64);
        let counts = medical_rows(&ids, 20_000, 1, today(), &mut |row| {
            n += 1;
            match read(&map, n + 1, row, today()) {
                Ok(_) => ok += 1,
                Err(_) => bad += 1,
            }
        });
        assert_eq!(counts.rows, 20_000);
        assert_eq!(n, 20_000);
        assert_eq!(bad, counts.invalid);
        assert!(counts.not_found > 100 && counts.not_found < 400);
        assert_eq!(ok + bad, n);
    }
}
