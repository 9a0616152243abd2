//! 部门筛查预警 and 农户自主申报: the two channels that bring leads from outside the village.
//!
//! Departments deliver data of one [`DeptKind`] (a file, or a push through the API); each kind has
//! a column profile ([`profile`]) that finds its columns by their header names, each row is read
//! into a [`record::DeptRecord`] or refused with its field and reason ([`record`]), and a record of
//! a member is weighed against the year's thresholds into an alert with its evidence ([`alert`]).
//! Asset checks raise no alert: they are evidence for the village appraisal. A household's own
//! report from the public page is checked in [`self_report`].
//!
//! Every list here is stored by the number next to it (pinned in `tests/stored_codes.rs`).

pub mod alert;
pub mod profile;
pub mod record;
pub mod self_report;

use crate::codes::code_list;

code_list!(
    /// 部门数据种类: whose data a batch is. The slug ([`DeptKind::slug`]) names it in commands and
    /// addresses (`--kind medical`, `/api/v1/dept/medical/records`).
    DeptKind {
        Medical = 1 => "医保", "medical insurance";
        Roster = 2 => "民政", "civil affairs";
        Disability = 3 => "残联", "disabled persons' federation";
        Education = 4 => "教育", "education";
        Housing = 5 => "住建", "housing";
        Disaster = 6 => "应急", "emergency management";
        Employment = 7 => "人社", "human resources and social security";
        Police = 8 => "公安", "public security";
        Assets = 9 => "资产核查", "asset check";
    }
);

impl DeptKind {
    /// The kind's name in commands and addresses, as FORMATS.md §2 writes it.
    pub fn slug(self) -> &'static str {
        match self {
            DeptKind::Medical => "medical",
            DeptKind::Roster => "dibao",
            DeptKind::Disability => "disability",
            DeptKind::Education => "education",
            DeptKind::Housing => "housing",
            DeptKind::Disaster => "disaster",
            DeptKind::Employment => "employment",
            DeptKind::Police => "death",
            DeptKind::Assets => "assets",
        }
    }

    /// The kind a slug names (`medical`, `dibao` …), or its Chinese label (`医保`).
    pub fn parse(text: &str) -> Option<DeptKind> {
        let t = text.trim();
        DeptKind::ALL
            .iter()
            .copied()
            .find(|k| k.slug().eq_ignore_ascii_case(t))
            .or_else(|| DeptKind::parse_zh(t))
    }

    /// What the department's data covers, in a cadre's words.
    pub fn content_zh(self) -> &'static str {
        match self {
            DeptKind::Medical => "医疗费用（合规自付）",
            DeptKind::Roster => "低保、特困、低保边缘、刚性支出困难人员名单",
            DeptKind::Disability => "新增残疾及等级",
            DeptKind::Education => "辍学、就学费用",
            DeptKind::Housing => "危房鉴定等级",
            DeptKind::Disaster => "灾害损失",
            DeptKind::Employment => "失业、返乡",
            DeptKind::Police => "死亡、迁出",
            DeptKind::Assets => "车辆、房产、工商注册、财政供养",
        }
    }

    pub fn content_en(self) -> &'static str {
        match self {
            DeptKind::Medical => "medical costs (compliant out-of-pocket)",
            DeptKind::Roster => "低保, 特困, 低保边缘 and rigid-expenditure hardship rolls",
            DeptKind::Disability => "new disabilities and their grades",
            DeptKind::Education => "dropouts and school costs",
            DeptKind::Housing => "dangerous-house grades",
            DeptKind::Disaster => "disaster losses",
            DeptKind::Employment => "unemployment and return home",
            DeptKind::Police => "deaths and moves out",
            DeptKind::Assets => "vehicles, real estate, business registration, public payroll",
        }
    }

    /// Whether the kind's records raise alerts (an asset check is evidence only).
    pub fn alerts(self) -> bool {
        self != DeptKind::Assets
    }
}

code_list!(
    /// How a batch came in.
    BatchChannel {
        Command = 1 => "命令行导入", "command line";
        Upload = 2 => "上传", "upload";
        Push = 3 => "接口推送", "API push";
    }
);

code_list!(
    /// Where a batch stands.
    BatchStatus {
        Imported = 1 => "已导入", "imported";
        RolledBack = 2 => "已撤回", "rolled back";
    }
);

code_list!(
    /// Why a row is in the unmatched queue (未匹配原因).
    UnmatchedReason {
        NotFound = 1 => "查无此人", "no such member";
        OutsideRegion = 2 => "不在本区域", "outside the region";
        InvalidId = 3 => "证件号码无效", "invalid ID number";
        InvalidRow = 4 => "数据有误", "invalid row";
    }
);

code_list!(
    /// Where an unmatched row stands.
    QueueStatus {
        Open = 0 => "待处理", "to handle";
        Resolved = 1 => "已匹配", "matched by hand";
        Dismissed = 2 => "已忽略", "dismissed";
    }
);

code_list!(
    /// Where a department alert stands.
    AlertStatus {
        Open = 0 => "有效", "open";
        Withdrawn = 1 => "已撤回", "withdrawn";
    }
);

code_list!(
    /// 民政 rolls (the low-income roster).
    RollType {
        Dibao = 1 => "低保", "minimum living allowance (低保)";
        Tekun = 2 => "特困", "extreme-poverty support (特困)";
        DibaoMarginal = 3 => "低保边缘", "marginal to 低保";
        RigidHardship = 4 => "刚性支出困难", "rigid-expenditure hardship";
        TemporaryRelief = 5 => "临时救助", "temporary relief";
    }
);

code_list!(
    /// 教育: a pupil's status.
    SchoolStatus {
        Enrolled = 1 => "在读", "enrolled";
        Dropout = 2 => "辍学", "dropped out";
        Suspended = 3 => "休学", "suspended";
    }
);

code_list!(
    /// 住建: the appraised grade of a house (房屋安全鉴定等级).
    HouseGrade {
        A = 1 => "A级", "grade A";
        B = 2 => "B级", "grade B";
        C = 3 => "C级", "grade C";
        D = 4 => "D级", "grade D";
    }
);

code_list!(
    /// 人社: a person's employment status.
    EmploymentStatus {
        Unemployed = 1 => "失业", "unemployed";
        Returned = 2 => "返乡", "returned home";
        Employed = 3 => "就业", "employed";
    }
);

code_list!(
    /// 公安: what happened to a person.
    PoliceEvent {
        Death = 1 => "死亡", "death";
        MoveOut = 2 => "迁出", "moved out";
    }
);

code_list!(
    /// 资产核查: the kind of asset found.
    AssetType {
        Vehicle = 1 => "车辆", "vehicle";
        RealEstate = 2 => "房产", "real estate";
        Business = 3 => "工商注册", "business registration";
        PublicPayroll = 4 => "财政供养", "public payroll";
    }
);

code_list!(
    /// Where a self-report stands.
    SelfReportStatus {
        Received = 0 => "已受理", "received";
        LeadRaised = 1 => "核实中", "being verified";
        Handled = 2 => "已办结", "handled";
    }
);

code_list!(
    /// A village cadre's decision on a 公安 death alert (D09): the registry changes only when
    /// the cadre confirms.
    DeathDecision {
        Confirmed = 1 => "已确认死亡", "death confirmed";
        Rejected = 2 => "已驳回", "rejected";
    }
);
