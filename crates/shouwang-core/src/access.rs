//! Who may do what (权限), decided in one place.
//!
//! A signed-in user has a role (角色) and a region (管辖区划). Whether they may do something
//! is read from one table, [`permission`]: for each action, what each role reaches —
//! nothing, everything inside its own region, or only the households paired with it (帮扶结对,
//! for assistance persons). Some actions also apply only at certain levels: a screening runs
//! over a county, a ledger is imported into a county or a township. Every check goes through
//! [`Scope::decide`]; a handler never tests a role itself. (The CLI is run by the operator of
//! the installation and checks nothing.)
//!
//! A refusal says why ([`Refusal`]), so that the web can answer "not allowed" for what a role
//! may never do and "not found" for what lies outside the user's region.

use crate::region::{RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};

/// The roles of PRODUCT.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员
    Admin,
    /// 县级 (乡村振兴局)
    County,
    /// 乡镇 (乡村振兴办)
    Township,
    /// 村级 (village cadre, 监测核查员, 网格员)
    Village,
    /// 帮扶责任人
    AssistancePerson,
    /// 部门 (department data office)
    Department,
    /// 督导 (inspector, read-only)
    Inspector,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::County,
        Role::Township,
        Role::Village,
        Role::AssistancePerson,
        Role::Department,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::County => "county",
            Role::Township => "township",
            Role::Village => "village",
            Role::AssistancePerson => "assistance",
            Role::Department => "department",
            Role::Inspector => "inspector",
        }
    }
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::County => "县级",
            Role::Township => "乡镇",
            Role::Village => "村级",
            Role::AssistancePerson => "帮扶责任人",
            Role::Department => "部门",
            Role::Inspector => "督导",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "administrator",
            Role::County => "county officer",
            Role::Township => "township officer",
            Role::Village => "village cadre",
            Role::AssistancePerson => "assistance person",
            Role::Department => "department",
            Role::Inspector => "inspector",
        }
    }
}

/// The levels a role's region may have: a village cadre or an assistance person is bound to a
/// village, a township officer to a township, a county officer, a department or an inspector to
/// a county, an administrator to a county or anything above it (a city, a province). A user bound
/// to a larger region than the role would reach more than the role is meant to: a "village" user
/// bound to a county would read the whole county.
impl Role {
    pub fn region_levels(self) -> &'static [RegionLevel] {
        match self {
            Role::Village | Role::AssistancePerson => &[RegionLevel::Village],
            Role::Township => &[RegionLevel::Township],
            Role::County | Role::Department | Role::Inspector => &[RegionLevel::County],
            Role::Admin => &[
                RegionLevel::Province,
                RegionLevel::City,
                RegionLevel::County,
            ],
        }
    }

    /// Whether `region` fits this role ([`Role::region_levels`]); a refusal names the level needed.
    pub fn check_region(self, region: &RegionCode) -> Result<(), crate::Problem> {
        let levels = self.region_levels();
        if levels.contains(&region.level()) {
            return Ok(());
        }
        let zh = levels
            .iter()
            .map(|l| l.label_zh())
            .collect::<Vec<_>>()
            .join("、");
        let en = levels
            .iter()
            .map(|l| l.label_en())
            .collect::<Vec<_>>()
            .join(", ");
        Err(crate::Problem::new(
            crate::ProblemCode::UserRegionLevel,
            "region",
            format!(
                "{}角色须绑定{zh}级区划，{region}是{}级",
                self.label_zh(),
                region.level().label_zh()
            ),
            format!(
                "a {} must be bound to a region at the level of: {en}; {region} is a {}",
                self.label_en(),
                region.level().label_en()
            ),
        ))
    }
}

/// Everything a user may be allowed or refused, as the web offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// 浏览区划: the region tree, a village's household list, its counts.
    BrowseRegions,
    /// 查看户档案: a household with its members (ID numbers masked), incomes and 三保障.
    ReadHousehold,
    /// A household's change history (who changed what, when).
    ViewHistory,
    /// 搜索 people and households; the hits are then narrowed to households the user may read.
    Search,
    /// 修改户档案: create and change households and members, record incomes and 三保障.
    EditRegistry,
    /// 查看完整证件号码: a deliberate act, audited.
    RevealId,
    /// 导出户人台账 of a region.
    ExportLedger,
    /// 导入户人台账 into one's own county or township.
    ImportLedger,
    /// 预警: the warnings of a region, a household's warnings and leads (风险线索).
    ViewWarnings,
    /// 模拟测算: what changes if the line or the rules change.
    WhatIf,
    /// 监测标准 in force in a region and where each value comes from.
    ViewStandards,
    /// 立即筛查: screen one's own county now.
    RunScreening,
    /// Set a region's monitoring standard for a year.
    SetStandard,
    /// Save a county's rule parameters and levels as its next rule-set version.
    SetRules,
    /// 用户管理.
    ManageUsers,
    /// 识别认定 and 监测对象: leads, procedures, notices and monitoring cases of a region.
    ViewCases,
    /// Take part in 识别认定: raise, dismiss and merge leads, open procedures, take steps (core
    /// decides which step belongs to which role).
    Identify,
    /// 工作日历: enter or import a region's public holidays and make-up working days (调休),
    /// which the procedure's working-day deadlines count with. Reading the calendar is
    /// [`Action::ViewStandards`]: it is part of what the deadlines come from.
    ManageCalendar,
    /// 帮扶: read plans and measures, pairings, visits, visit duties and the monthly task lists
    /// (工作提示单) of a region.
    ViewAssistance,
    /// Keep a case's plan and measures (一户一策) and mark a whole household without labour
    /// as 兜底保障.
    Assist,
    /// 帮扶责任人 and 家庭签约医生: enter them, pair and reassign them, and give users their
    /// positions (村党支部书记, 乡镇党委书记 …).
    ManagePairings,
    /// 走访: record a visit to a household (an assistance person: to a paired one).
    RecordVisit,
    /// 部门数据: read batches, department alerts and the unmatched queue of a region (a department
    /// user: only its own kind).
    ViewDepartment,
    /// Deliver a department batch (a file on the upload page; a department user: its own kind).
    ImportDepartment,
    /// Resolve or dismiss unmatched rows, roll a batch back, edit a kind's column profile.
    ResolveDepartment,
    /// Create, list and revoke the API tokens departments push with.
    ManageDeptTokens,
    /// Print a village's self-report poster (一码申报).
    PrintPoster,
    /// 报表: the monitoring statistics, the other tables, income tracking (促增收), the
    /// supervision ranking and the data-quality findings of a region, and their exports.
    ViewReports,
    /// Grant or withdraw an exemption from a data-quality rule (a record that is right though it
    /// trips the rule), with its reason.
    ExemptQuality,
    /// Set the weights the supervision ranking (督导考核排序) scores villages with.
    SetRankingWeights,
    /// Clear (销号) a household from the low-income ledger, saying how its income was raised.
    ClearLowIncome,
}

/// What one role reaches with one action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Never.
    No,
    /// Everything inside the user's own region.
    InRegion,
    /// Only households paired with the user (帮扶结对), inside the user's region.
    Paired,
}

const N: Reach = Reach::No;
const R: Reach = Reach::InRegion;
const P: Reach = Reach::Paired;
const ANY: &[RegionLevel] = &[];
const COUNTY: &[RegionLevel] = &[RegionLevel::County];
const COUNTY_OR_TOWNSHIP: &[RegionLevel] = &[RegionLevel::County, RegionLevel::Township];
/// Where a calendar is kept: a province (the State Council's days, entered once for all its
/// counties), a city or a county (a local day off); never below.
const COUNTY_OR_ABOVE: &[RegionLevel] = &[
    RegionLevel::Province,
    RegionLevel::City,
    RegionLevel::County,
];

/// The permission table: for each action, what each role reaches, and the levels the action
/// applies at (`ANY` level, or only the ones listed).
///
/// Columns: 系统管理员 admin, 县级 county, 乡镇 township, 村级 village, 帮扶责任人 assistance
/// person, 部门 department, 督导 inspector. `R`: inside the user's region; `P`: paired households
/// only; `N`: never.
#[rustfmt::skip]
pub const fn permission(action: Action) -> ([Reach; 7], &'static [RegionLevel]) {
    use Action::*;
    match action {
        //                admin county township village assist dept inspector
        BrowseRegions => ([R,   R,     R,       R,      N,     N,   R], ANY),
        ReadHousehold => ([R,   R,     R,       R,      P,     N,   R], ANY),
        ViewHistory   => ([R,   R,     R,       R,      P,     N,   R], ANY),
        Search        => ([R,   R,     R,       R,      R,     N,   R], ANY),
        EditRegistry  => ([R,   R,     R,       R,      N,     N,   N], ANY),
        RevealId      => ([R,   R,     R,       R,      P,     N,   N], ANY),
        ExportLedger  => ([R,   R,     R,       R,      N,     N,   R], ANY),
        ImportLedger  => ([R,   R,     R,       N,      N,     N,   N], COUNTY_OR_TOWNSHIP),
        ViewWarnings  => ([R,   R,     R,       R,      P,     N,   R], ANY),
        WhatIf        => ([R,   R,     R,       N,      N,     N,   R], ANY),
        ViewStandards => ([R,   R,     R,       R,      N,     N,   R], ANY),
        RunScreening  => ([R,   R,     N,       N,      N,     N,   N], COUNTY),
        SetStandard   => ([R,   R,     N,       N,      N,     N,   N], ANY),
        SetRules      => ([R,   R,     N,       N,      N,     N,   N], ANY),
        ManageUsers   => ([R,   N,     N,       N,      N,     N,   N], ANY),
        ViewCases     => ([R,   R,     R,       R,      P,     N,   R], ANY),
        Identify      => ([N,   R,     R,       R,      N,     N,   N], ANY),
        ManageCalendar => ([R,  R,     N,       N,      N,     N,   N], COUNTY_OR_ABOVE),
        ViewAssistance => ([R,  R,     R,       R,      P,     N,   R], ANY),
        Assist        => ([N,   R,     R,       R,      N,     N,   N], ANY),
        ManagePairings => ([R,  R,     R,       N,      N,     N,   N], ANY),
        RecordVisit   => ([N,   R,     R,       R,      P,     N,   N], ANY),
        ViewDepartment => ([R,  R,     R,       N,      N,     R,   R], ANY),
        ImportDepartment => ([R, R,    N,       N,      N,     R,   N], COUNTY),
        ResolveDepartment => ([R, R,   N,       N,      N,     N,   N], COUNTY),
        ManageDeptTokens => ([R, R,    N,       N,      N,     N,   N], COUNTY),
        PrintPoster   => ([R,   R,     R,       R,      N,     N,   N], ANY),
        ViewReports   => ([R,   R,     R,       R,      N,     N,   R], ANY),
        ExemptQuality => ([R,   R,     N,       N,      N,     N,   N], COUNTY),
        SetRankingWeights => ([R, R,   R,       N,      N,     N,   N], COUNTY_OR_TOWNSHIP),
        ClearLowIncome => ([N,  R,     R,       R,      N,     N,   N], ANY),
    }
}

impl Role {
    /// The role's column in [`permission`].
    fn column(self) -> usize {
        match self {
            Role::Admin => 0,
            Role::County => 1,
            Role::Township => 2,
            Role::Village => 3,
            Role::AssistancePerson => 4,
            Role::Department => 5,
            Role::Inspector => 6,
        }
    }
}

impl Action {
    /// Every action, in the order of the table.
    pub const ALL: [Action; 31] = [
        Action::BrowseRegions,
        Action::ReadHousehold,
        Action::ViewHistory,
        Action::Search,
        Action::EditRegistry,
        Action::RevealId,
        Action::ExportLedger,
        Action::ImportLedger,
        Action::ViewWarnings,
        Action::WhatIf,
        Action::ViewStandards,
        Action::RunScreening,
        Action::SetStandard,
        Action::SetRules,
        Action::ManageUsers,
        Action::ViewCases,
        Action::Identify,
        Action::ManageCalendar,
        Action::ViewAssistance,
        Action::Assist,
        Action::ManagePairings,
        Action::RecordVisit,
        Action::ViewDepartment,
        Action::ImportDepartment,
        Action::ResolveDepartment,
        Action::ManageDeptTokens,
        Action::PrintPoster,
        Action::ViewReports,
        Action::ExemptQuality,
        Action::SetRankingWeights,
        Action::ClearLowIncome,
    ];
    /// What `role` reaches with this action.
    pub fn reach(self, role: Role) -> Reach {
        permission(self).0[role.column()]
    }
    /// The levels this action applies at; empty for any level.
    pub fn levels(self) -> &'static [RegionLevel] {
        permission(self).1
    }
}

/// What an action is done to.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// A region (at any level), or what lies in it.
    Region(&'a RegionCode),
    /// One household, in its village; `paired` when it is paired with the user.
    Household {
        village: &'a RegionCode,
        paired: bool,
    },
}

impl Target<'_> {
    fn region(&self) -> &RegionCode {
        match self {
            Target::Region(r) => r,
            Target::Household { village, .. } => village,
        }
    }
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The role may never do this (to this kind of target): "your role may not do this".
    Role,
    /// The action does not apply at the target's level (a screening runs over a county).
    Level,
    /// The target lies outside the user's region, or is a household not paired with them:
    /// answered as "not found", so that guessing reveals nothing.
    Outside,
}

/// What a signed-in user may touch: a role bound to a region (a code prefix).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub role: Role,
    pub region: RegionCode,
}

impl Scope {
    /// Whether this user may do `action` to `target`, and if not, why. The role is looked at
    /// first, then the level, then the region: what a role may never do is refused as such even
    /// where the user cannot see. Assistance persons reach households only through their
    /// pairing, so a region as such is refused to them by role.
    pub fn decide(&self, action: Action, target: Target<'_>) -> Result<(), Refusal> {
        let reach = action.reach(self.role);
        match (reach, target) {
            (Reach::No, _) | (Reach::Paired, Target::Region(_)) => return Err(Refusal::Role),
            _ => {}
        }
        let region = target.region();
        let levels = action.levels();
        if !levels.is_empty() && !levels.contains(&region.level()) {
            return Err(Refusal::Level);
        }
        if !self.region.contains(region) {
            return Err(Refusal::Outside);
        }
        match (reach, target) {
            (Reach::Paired, Target::Household { paired: false, .. }) => Err(Refusal::Outside),
            _ => Ok(()),
        }
    }
    /// [`Scope::decide`] as a yes or no, to show or hide a button.
    pub fn allows(&self, action: Action, target: Target<'_>) -> bool {
        self.decide(action, target).is_ok()
    }
    /// Whether the user reaches households only through pairing (assistance persons): their
    /// home is the list of their paired households, not the region tree.
    pub fn reaches_only_paired(&self) -> bool {
        Action::ReadHousehold.reach(self.role) == Reach::Paired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, code: &str) -> Scope {
        Scope {
            role,
            region: RegionCode::parse(code).unwrap(),
        }
    }

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).unwrap()
    }

    fn household(village: &RegionCode) -> Target<'_> {
        Target::Household {
            village,
            paired: false,
        }
    }

    #[test]
    fn a_role_is_bound_to_a_region_of_its_own_level() {
        let (county, township, village) = (code("510821"), code("510821108"), code("510821108212"));
        assert!(Role::Village.check_region(&village).is_ok());
        assert!(Role::Village.check_region(&county).is_err());
        assert!(Role::Village.check_region(&township).is_err());
        assert!(Role::AssistancePerson.check_region(&village).is_ok());
        assert!(Role::AssistancePerson.check_region(&county).is_err());
        assert!(Role::Township.check_region(&township).is_ok());
        assert!(Role::Township.check_region(&county).is_err());
        assert!(Role::Township.check_region(&village).is_err());
        for role in [Role::County, Role::Department, Role::Inspector] {
            assert!(role.check_region(&county).is_ok(), "{role:?}");
            assert!(role.check_region(&township).is_err(), "{role:?}");
            assert!(role.check_region(&code("51")).is_err(), "{role:?}");
        }
        assert!(Role::Admin.check_region(&county).is_ok());
        assert!(Role::Admin.check_region(&code("5108")).is_ok());
        assert!(Role::Admin.check_region(&code("51")).is_ok());
        assert!(Role::Admin.check_region(&township).is_err());
        let refused = Role::Village.check_region(&county).unwrap_err();
        assert_eq!(refused.code, crate::ProblemCode::UserRegionLevel);
    }

    #[test]
    fn village_cadre_cannot_read_another_village() {
        let s = scope(Role::Village, "510821108212");
        let (own, other) = (code("510821108212"), code("510821115200"));
        assert!(s.allows(Action::ReadHousehold, household(&own)));
        assert!(!s.allows(Action::ReadHousehold, household(&other)));
        assert!(!s.allows(Action::BrowseRegions, Target::Region(&code("510821108"))));
    }

    #[test]
    fn inspector_reads_but_never_edits_or_reveals() {
        let s = scope(Role::Inspector, "510821");
        let v = code("510821108212");
        assert!(s.allows(Action::ReadHousehold, household(&v)));
        assert!(!s.allows(Action::EditRegistry, household(&v)));
        assert!(!s.allows(Action::RevealId, household(&v)));
    }

    #[test]
    fn departments_see_no_registry() {
        let s = scope(Role::Department, "510821");
        assert!(!s.allows(Action::ReadHousehold, household(&code("510821108212"))));
    }

    #[test]
    fn every_action_is_listed_once() {
        for a in Action::ALL {
            assert_eq!(Action::ALL.iter().filter(|b| **b == a).count(), 1, "{a:?}");
        }
    }

    /// The expected answer for every role and action, written out independently of
    /// [`permission`]: `Y` inside the region, `P` paired households only, `-` never.
    /// Changing a permission means changing this table too, on purpose.
    #[rustfmt::skip]
    const EXPECTED: [(Action, &str); 31] = [
        //                            admin county township village assist dept inspector
        (Action::BrowseRegions, "Y Y Y Y - - Y"),
        (Action::ReadHousehold, "Y Y Y Y P - Y"),
        (Action::ViewHistory,   "Y Y Y Y P - Y"),
        (Action::Search,        "Y Y Y Y Y - Y"),
        (Action::EditRegistry,  "Y Y Y Y - - -"),
        (Action::RevealId,      "Y Y Y Y P - -"),
        (Action::ExportLedger,  "Y Y Y Y - - Y"),
        (Action::ImportLedger,  "Y Y Y - - - -"),
        (Action::ViewWarnings,  "Y Y Y Y P - Y"),
        (Action::WhatIf,        "Y Y Y - - - Y"),
        (Action::ViewStandards, "Y Y Y Y - - Y"),
        (Action::RunScreening,  "Y Y - - - - -"),
        (Action::SetStandard,   "Y Y - - - - -"),
        (Action::SetRules,      "Y Y - - - - -"),
        (Action::ManageUsers,   "Y - - - - - -"),
        (Action::ViewCases,     "Y Y Y Y P - Y"),
        (Action::Identify,      "- Y Y Y - - -"),
        (Action::ManageCalendar, "Y Y - - - - -"),
        (Action::ViewAssistance, "Y Y Y Y P - Y"),
        (Action::Assist,        "- Y Y Y - - -"),
        (Action::ManagePairings, "Y Y Y - - - -"),
        (Action::RecordVisit,   "- Y Y Y P - -"),
        (Action::ViewDepartment, "Y Y Y - - Y Y"),
        (Action::ImportDepartment, "Y Y - - - Y -"),
        (Action::ResolveDepartment, "Y Y - - - - -"),
        (Action::ManageDeptTokens, "Y Y - - - - -"),
        (Action::PrintPoster,   "Y Y Y Y - - -"),
        (Action::ViewReports,   "Y Y Y Y - - Y"),
        (Action::ExemptQuality, "Y Y - - - - -"),
        (Action::SetRankingWeights, "Y Y Y - - - -"),
        (Action::ClearLowIncome, "- Y Y Y - - -"),
    ];

    const ROLES: [Role; 7] = [
        Role::Admin,
        Role::County,
        Role::Township,
        Role::Village,
        Role::AssistancePerson,
        Role::Department,
        Role::Inspector,
    ];

    #[test]
    fn every_role_and_action_is_decided_as_the_expected_table_says() {
        for a in Action::ALL {
            assert!(
                EXPECTED.iter().any(|(b, _)| *b == a),
                "{a:?} has no expected row"
            );
        }
        // every user sits in county 510821; the targets lie in it or in the next county
        let county = code("510821");
        let village = code("510821108212");
        let elsewhere = code("510822101201");
        for (action, row) in EXPECTED {
            let answers: Vec<&str> = row.split(' ').collect();
            assert_eq!(answers.len(), 7, "{action:?}");
            // actions bound to levels are tried on the county itself, the others on a village
            let region = if action.levels().is_empty() {
                &village
            } else {
                &county
            };
            for (role, answer) in ROLES.into_iter().zip(answers) {
                let s = scope(role, "510821");
                let paired = Target::Household {
                    village: &village,
                    paired: true,
                };
                let unpaired = Target::Household {
                    village: &village,
                    paired: false,
                };
                let outside = Target::Household {
                    village: &elsewhere,
                    paired: true,
                };
                let got = (
                    s.allows(action, Target::Region(region)),
                    s.allows(action, paired),
                    s.allows(action, unpaired),
                    s.allows(action, Target::Region(&elsewhere)) || s.allows(action, outside),
                );
                let want = match answer {
                    "Y" => (true, true, true, false),
                    "P" => (false, true, false, false),
                    _ => (false, false, false, false),
                };
                // households are villages: level-bound actions never apply to them
                let want = if action.levels().is_empty() {
                    want
                } else {
                    (want.0, false, false, false)
                };
                assert_eq!(
                    got, want,
                    "{action:?} for {role:?}: (region, paired, unpaired, outside)"
                );
            }
        }
    }

    #[test]
    fn a_refusal_says_whether_the_role_or_the_region_stands_in_the_way() {
        let helper = scope(Role::AssistancePerson, "510821108212");
        let own = code("510821108212");
        let other = code("510821115200");
        // an assistance person never looks at a region as such, wherever it lies
        assert_eq!(
            helper.decide(Action::ViewWarnings, Target::Region(&own)),
            Err(Refusal::Role)
        );
        assert_eq!(
            helper.decide(Action::ViewWarnings, Target::Region(&other)),
            Err(Refusal::Role)
        );
        // an unpaired household of their own village is as unknown as one elsewhere
        let unpaired = Target::Household {
            village: &own,
            paired: false,
        };
        assert_eq!(
            helper.decide(Action::ReadHousehold, unpaired),
            Err(Refusal::Outside)
        );
        let cadre = scope(Role::Village, "510821108212");
        assert_eq!(
            cadre.decide(Action::ViewWarnings, Target::Region(&other)),
            Err(Refusal::Outside)
        );
        assert_eq!(
            cadre.decide(Action::SetStandard, Target::Region(&own)),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn screenings_run_over_a_county_and_ledgers_come_into_a_county_or_a_township() {
        let admin_of_province = scope(Role::Admin, "51");
        let province = code("51");
        assert_eq!(
            admin_of_province.decide(Action::RunScreening, Target::Region(&province)),
            Err(Refusal::Level)
        );
        let township = code("510821108");
        let town = scope(Role::Township, "510821108");
        assert!(town.allows(Action::ImportLedger, Target::Region(&township)));
        let county = scope(Role::County, "510821");
        assert!(!county.allows(Action::RunScreening, Target::Region(&township)));
        assert!(county.allows(Action::RunScreening, Target::Region(&code("510821"))));
        let village = code("510821108212");
        assert_eq!(
            county.decide(Action::ImportLedger, Target::Region(&village)),
            Err(Refusal::Level)
        );
    }

    #[test]
    fn a_calendar_is_kept_for_a_province_city_or_county_by_whoever_holds_it() {
        let county = scope(Role::County, "510821");
        assert!(county.allows(Action::ManageCalendar, Target::Region(&code("510821"))));
        // the province's days are the province's: a county officer reads them, never sets them
        assert_eq!(
            county.decide(Action::ManageCalendar, Target::Region(&code("51"))),
            Err(Refusal::Outside)
        );
        assert_eq!(
            county.decide(Action::ManageCalendar, Target::Region(&code("510821108"))),
            Err(Refusal::Level)
        );
        let province = scope(Role::Admin, "51");
        assert!(province.allows(Action::ManageCalendar, Target::Region(&code("51"))));
        assert!(province.allows(Action::ManageCalendar, Target::Region(&code("5108"))));
        assert_eq!(
            scope(Role::Township, "510821108")
                .decide(Action::ManageCalendar, Target::Region(&code("510821108"))),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn only_assistance_persons_reach_households_through_their_pairing_alone() {
        for role in ROLES {
            assert_eq!(
                scope(role, "510821").reaches_only_paired(),
                role == Role::AssistancePerson,
                "{role:?}"
            );
        }
    }
}
