//! Every problem code the system answers with, written once: its stable text, what it means in
//! Chinese and English, and the HTTP status the API gives it.
//!
//! A code is a promise to API clients and to the people who read error workbooks: its text never
//! changes once released. To add one, add a line below and a row to `docs/problem-codes.md` (a
//! test compares the two), then use the variant; a new sentence for an existing meaning reuses the
//! code that already has it.
//!
//! The statuses follow one rule: 400 when the input cannot be read as what it should be (a date
//! that is no date, a value not in its code list, malformed JSON); 404 when the addressed record
//! does not exist or lies outside the user's region; 409 when the input collides with what is
//! stored (a number already registered, a record changed since it was read); 422 when the input
//! reads well but breaks a rule (two heads, a birth date after today).

use serde::{Serialize, Serializer};
use std::fmt;

/// The HTTP status a problem maps to in the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// 400: the input cannot be read as what it should be.
    BadRequest,
    /// 401: not signed in, or the sign-in failed.
    Unauthorized,
    /// 403: the role may not do this.
    Forbidden,
    /// 404: no such record, or outside the user's region.
    NotFound,
    /// 405: the address does not take this method.
    MethodNotAllowed,
    /// 409: the input collides with what is stored.
    Conflict,
    /// 422: the input reads well but breaks a rule.
    Unprocessable,
    /// 429: too many failed attempts.
    TooManyRequests,
    /// 500: our fault; logged.
    Internal,
}

impl Status {
    pub const fn as_u16(self) -> u16 {
        match self {
            Status::BadRequest => 400,
            Status::Unauthorized => 401,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::Conflict => 409,
            Status::Unprocessable => 422,
            Status::TooManyRequests => 429,
            Status::Internal => 500,
        }
    }
}

/// Writes the enum and its tables from one list, so that a code cannot be added without its text,
/// status and meaning.
macro_rules! problem_codes {
    ($( $variant:ident = $text:literal, $status:ident, $zh:literal, $en:literal; )*) => {
        /// A problem code: one variant per meaning, serialized as its stable text
        /// (`id_number.invalid`, `head.several`, `ledger.no_header` …).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ProblemCode {
            $(
                #[doc = concat!("`", $text, "`: ", $zh, " / ", $en)]
                $variant,
            )*
        }

        impl ProblemCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant),*];

            /// The stable text, as the API and the error workbook show it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $text,)*
                }
            }
            /// The HTTP status the API answers with.
            pub const fn status(self) -> Status {
                match self {
                    $(ProblemCode::$variant => Status::$status,)*
                }
            }
            /// What the code means, in Chinese (the sentence of a problem says what exactly).
            pub const fn zh(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $zh,)*
                }
            }
            /// What the code means, in English.
            pub const fn en(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $en,)*
                }
            }
        }
    };
}

problem_codes! {
    // ------------------------------------------------------------ requests and sessions
    AuthRequired = "auth.required", Unauthorized,
        "未登录或登录已过期", "not signed in, or the session has expired";
    AuthWrong = "auth.wrong", Unauthorized,
        "用户名或密码不正确", "wrong username or password";
    AuthLocked = "auth.locked", TooManyRequests,
        "登录失败次数过多，请稍后再试", "too many failed sign-ins: wait a while before trying again";
    PasswordChangeRequired = "auth.password_change", Forbidden,
        "须先修改密码（首次登录、重置后或密码过期）", "the password must be changed first (first sign-in, after a reset, or expired)";
    Csrf = "csrf", Forbidden,
        "CSRF令牌缺失或不符", "the CSRF token is missing or wrong";
    Forbidden = "forbidden", Forbidden,
        "用户的角色无权执行此操作", "the user's role may not do this";
    NotFound = "not_found", NotFound,
        "记录不存在，或不在用户的管辖范围内", "no such record, or it lies outside the user's region";
    MethodNotAllowed = "method_not_allowed", MethodNotAllowed,
        "该地址不接受此请求方法", "this address does not take this method";
    Stale = "stale", Conflict,
        "记录在读取后已被他人修改", "someone else changed the record since it was read";
    BadRequest = "bad_request", BadRequest,
        "请求无法解析（JSON格式错误、字段类型不符等）", "the request cannot be parsed (malformed JSON, a field of the wrong type …)";
    QueryInvalid = "query.invalid", BadRequest,
        "查询参数未知、重复或取值无法识别", "a query parameter is unknown, repeated, or its value cannot be read";
    Invalid = "invalid", Unprocessable,
        "输入不符合规则（未指明具体问题）", "the input breaks a rule (no specific problem given)";
    Internal = "internal", Internal,
        "服务器内部错误，已记录", "internal error; it has been logged";
    FormInvalid = "form.invalid", BadRequest,
        "表单字段无法识别（日期、数字或代码表取值）", "a form field cannot be read (a date, a number or a code-list value)";

    // ------------------------------------------------------------ ledger files as a whole
    LedgerIo = "ledger.io", Internal,
        "无法读取台账文件", "the ledger file cannot be read";
    LedgerEmpty = "ledger.empty", BadRequest,
        "台账文件为空", "the ledger file is empty";
    LedgerNotSpreadsheet = "ledger.not_spreadsheet", BadRequest,
        "不是电子表格（应为xlsx或CSV）", "not a spreadsheet (xlsx or CSV expected)";
    LedgerLegacyXls = "ledger.legacy_xls", BadRequest,
        "不支持旧版Excel（.xls）格式", "the old Excel format (.xls) is not supported";
    LedgerUtf16 = "ledger.utf16", BadRequest,
        "不支持UTF-16编码的文本", "UTF-16 text is not supported";
    LedgerNoSheets = "ledger.no_sheets", BadRequest,
        "工作簿中没有工作表", "the workbook has no sheet";
    LedgerCsv = "ledger.csv", BadRequest,
        "CSV的一行无法读取", "a CSV row cannot be read";
    LedgerWrongSheet = "ledger.wrong_sheet", Unprocessable,
        "工作簿中没有指定的工作表", "the workbook has no sheet of the given name";
    LedgerNoHeader = "ledger.no_header", Unprocessable,
        "找不到同时含“证件号码”和“姓名”的表头行", "no header row holding both 证件号码 and 姓名";
    LedgerMissingColumn = "ledger.missing_column", Unprocessable,
        "缺少必填列", "a required column is missing";
    LedgerDuplicateColumn = "ledger.duplicate_column", Unprocessable,
        "同一列出现两次", "a column appears twice";
    LedgerNotGrouped = "ledger.not_grouped", Unprocessable,
        "同一户的各行不相邻（只在一遍读取时出现，随后按两遍重读）", "a household's rows are not together (only when reading in one pass, which is then read again in two)";
    LedgerOverLimit = "ledger.over_limit", Unprocessable,
        "文件超出上限（解压后大小、行数、列数或单元格长度）", "the file is over a limit (uncompressed size, rows, columns or cell length)";

    // ------------------------------------------------------------ cells and values that cannot be read
    CellEncoding = "cell.encoding", BadRequest,
        "单元格含有文件编码中无效的字节", "the cell holds bytes that are not text in the file's encoding";
    CellErrorValue = "cell.error_value", BadRequest,
        "单元格是错误值（如#N/A）", "the cell holds an error value such as #N/A";
    CellFormulaWithoutValue = "cell.formula_without_value", BadRequest,
        "单元格是没有计算结果的公式", "the cell is a formula without a calculated value";
    CellTooLong = "cell.too_long", Unprocessable,
        "单元格字符过多", "the cell holds too many characters";
    DateInvalid = "date.invalid", BadRequest,
        "日期无法识别", "a date that cannot be read";
    MonthInvalid = "month.invalid", BadRequest,
        "月份无法识别（应为YYYYMM或YYYY-MM）", "a month that cannot be read (YYYYMM or YYYY-MM expected)";
    MoneyInvalid = "money.invalid", BadRequest,
        "金额无法识别（单位为元，最多两位小数）", "an amount that cannot be read (yuan, at most two decimals)";
    MoneyDate = "money.date", BadRequest,
        "金额单元格被设成了日期格式", "an amount cell formatted as a date";
    YesNoInvalid = "yes_no.invalid", BadRequest,
        "应为“是”或“否”", "expected 是 (yes) or 否 (no)";
    IntegerInvalid = "integer.invalid", BadRequest,
        "不是（范围内的）整数", "not a whole number (within its range)";
    CodeUnknown = "code.unknown", BadRequest,
        "取值不在代码表中", "a value not in its code list";
    HealthInvalid = "health.invalid", BadRequest,
        "健康状况不在代码表中，或“健康”与其他项同时填写", "a health value not in the code list, or 健康 given with another";
    HouseholdTypeOther = "household_type.other", BadRequest,
        "户类型不在代码表中，按“其他”保存（提醒）", "a household type not in the code list, kept as 其他 (a warning)";
    VillageCodeInvalid = "village_code.invalid", BadRequest,
        "村代码不是12位村级区划代码", "a village code that is not a 12-digit village code";
    IdNumberLostPrecision = "id_number.lost_precision", BadRequest,
        "证件号码以数字格式保存，后几位已丢失", "an ID number stored as a number, its last digits lost";

    // ------------------------------------------------------------ households and members
    HouseholdNoMissing = "household_no.missing", Unprocessable,
        "户编号为空", "the household number is missing";
    HouseholdNoCharacters = "household_no.characters", Unprocessable,
        "户编号含有字母、数字和连字符以外的字符", "a household number with characters other than letters, digits and hyphens";
    HouseholdNoTaken = "household_no.taken", Conflict,
        "户编号已存在", "the household number is already registered";
    HouseholdNoOtherCounty = "household_no.other_county", Conflict,
        "户编号已登记在其他县", "the household number is registered in another county";
    HouseholdTypeMissing = "household_type.missing", Unprocessable,
        "户类型为空", "the household type is missing";
    HouseholdConflict = "household.conflict", Unprocessable,
        "同一户的各行在户级列上不一致", "the rows of one household disagree on a household column";
    VillageMissing = "village.missing", Unprocessable,
        "未填写村", "the village is missing";
    VillageLevel = "village.level", Unprocessable,
        "不是村级区划代码", "a region code that is not a village's";
    VillageUnknown = "village.unknown", Unprocessable,
        "村不存在，或不是本县的村", "no such village, or not a village of this county";
    VillageAmbiguous = "village.ambiguous", Unprocessable,
        "村名在本县对应多个村", "a village name that fits several villages of the county";
    VillageCounty = "village.county", Unprocessable,
        "户不能迁到其他县", "a household cannot move to another county";
    VillageScope = "village.scope", Unprocessable,
        "村不在用户的管辖范围内", "a village outside the user's region";
    HouseGradeInvalid = "house_grade.invalid", Unprocessable,
        "危房等级不是A、B、C或D", "a house grade other than A, B, C or D";
    AreaRange = "area.range", Unprocessable,
        "耕地或住房面积超出合理范围", "a land or housing area out of range";
    PhoneInvalid = "phone.invalid", Unprocessable,
        "电话号码既不是手机号也不是固定电话", "a phone number that is neither a mobile nor a fixed line";
    TextTooLong = "text.too_long", Unprocessable,
        "文字超过该项允许的长度", "a text longer than its field allows";
    TextControl = "text.control", BadRequest,
        "文字含有不可见的控制字符（如NUL）", "a text holding an invisible control character (such as NUL)";
    MembersEmpty = "members.empty", Unprocessable,
        "一户没有成员", "a household without members";
    HeadMissing = "head.missing", Unprocessable,
        "一户没有户主", "a household without a head";
    HeadSeveral = "head.several", Unprocessable,
        "一户有不止一名户主", "a household with more than one head";
    HeadNameMismatch = "head.name_mismatch", Unprocessable,
        "户主姓名与户主本人的行不一致", "the head's name disagrees with the head's own row";
    HeadIdMismatch = "head.id_mismatch", Unprocessable,
        "户主证件号码与户主本人的行不一致", "the head's ID number disagrees with the head's own row";
    SpouseSeveral = "spouse.several", Unprocessable,
        "配偶超过一名", "more than one spouse";
    SpouseSameSex = "spouse.same_sex", Unprocessable,
        "户主与配偶性别相同", "the head and the spouse have the same sex";
    IdNumberInvalid = "id_number.invalid", Unprocessable,
        "证件号码的格式、出生日期或校验位不正确", "an ID number with a wrong form, birth date or check digit";
    IdNumberDuplicate = "id_number.duplicate", Unprocessable,
        "同一证件号码在本户出现两次", "one ID number twice in a household";
    IdNumberDuplicateInFile = "id_number.duplicate_in_file", Unprocessable,
        "同一证件号码在文件中出现两次", "one ID number twice in the file";
    IdNumberElsewhere = "id_number.elsewhere", Conflict,
        "证件号码已登记在另一户", "an ID number already registered in another household";
    LedgerNewerEdit = "ledger.newer_edit", Conflict,
        "该户在台账导出后已在守望中修改，导入须确认才覆盖", "the household was edited in Shouwang after the ledger was exported: overwriting it needs confirmation";
    NameMissing = "name.missing", Unprocessable,
        "姓名为空", "the name is missing";
    NameCharacters = "name.characters", Unprocessable,
        "姓名含有数字或控制字符", "a name with digits or control characters";
    SexMissing = "sex.missing", Unprocessable,
        "性别为空", "the sex is missing";
    SexMismatch = "sex.mismatch", Unprocessable,
        "性别与证件号码不符", "the sex disagrees with the ID number";
    BirthDateMissing = "birth_date.missing", Unprocessable,
        "出生日期为空", "the birth date is missing";
    BirthDateMismatch = "birth_date.mismatch", Unprocessable,
        "出生日期与证件号码不符", "the birth date disagrees with the ID number";
    BirthDateFuture = "birth_date.future", Unprocessable,
        "出生日期晚于今天", "a birth date after today";
    DeceasedOnRange = "deceased_on.range", Unprocessable,
        "死亡日期不在出生日期和今天之间", "a date of death not between birth and today";
    LeaveHead = "leave.head", Unprocessable,
        "户主不能直接减少，请先变更户主", "the head cannot leave before another member becomes head";
    LeaveDateRange = "leave.date_range", Unprocessable,
        "减少日期不在出生日期和今天之间", "a leaving date not between birth and today";
    RelationMissing = "relation.missing", Unprocessable,
        "与户主关系为空", "the relation to the head is missing";
    EducationBoth = "education.both", Unprocessable,
        "文化程度和在校生状况都填写了", "both education and schooling are given";
    EducationNeither = "education.neither", Unprocessable,
        "文化程度和在校生状况都未填写", "neither education nor schooling is given";
    HealthMissing = "health.missing", Unprocessable,
        "健康状况为空", "the health is missing";
    MigrantMonthsRange = "migrant_months.range", Unprocessable,
        "务工时间不在0到12个月之间", "months of migrant work not between 0 and 12";
    MigrantMonthsMissing = "migrant_months.missing", Unprocessable,
        "填写了务工所在地，务工时间却为0", "a place of work with no months of migrant work";
    MigrantPlaceMissing = "migrant_place.missing", Unprocessable,
        "有务工时间却没有务工所在地", "months of migrant work with no place of work";
    WelfareJobMonthsRange = "welfare_job_months.range", Unprocessable,
        "公益性岗位月数不在0到12之间", "public-welfare job months not between 0 and 12";

    // ------------------------------------------------------------ monitoring cases in a ledger
    RiskRepeated = "risk.repeated", Unprocessable,
        "同一风险填写了两次", "one risk given twice";
    MonitoringTypeMissing = "monitoring.type_missing", Unprocessable,
        "未填写监测对象类别，却填写了监测信息", "monitoring details without a monitoring type";
    MonitoringIdentifiedMissing = "monitoring.identified_missing", Unprocessable,
        "监测对象没有识别监测时间", "a monitored household without its identification month";
    MonitoringIdentifiedFuture = "monitoring.identified_future", Unprocessable,
        "识别监测时间晚于本月", "an identification month after this month";
    MonitoringKindMissing = "monitoring.kind_missing", Unprocessable,
        "风险已消除，却没有风险消除方式", "an eliminated risk without its elimination kind";
    MonitoringEliminatedOnMissing = "monitoring.eliminated_on_missing", Unprocessable,
        "风险已消除，却没有风险消除时间", "an eliminated risk without its elimination month";
    MonitoringEliminatedBeforeIdentified = "monitoring.eliminated_before_identified", Unprocessable,
        "风险消除时间早于识别监测时间", "an elimination month before the identification month";
    MonitoringEliminatedFuture = "monitoring.eliminated_future", Unprocessable,
        "风险消除时间晚于本月", "an elimination month after this month";
    MonitoringNotEliminated = "monitoring.not_eliminated", Unprocessable,
        "风险未消除，却填写了消除方式或消除时间", "an elimination kind or month for a risk not eliminated";
    MonitoringStatus = "monitoring.status", Unprocessable,
        "监测对象状态与风险消除情况不符", "a case status that disagrees with its elimination";

    // ------------------------------------------------------------ incomes and guarantees
    IncomeYear = "income.year", Unprocessable,
        "收入年度不在2000–2100之间", "an income year outside 2000–2100";
    IncomeQuarter = "income.quarter", Unprocessable,
        "季度不是1至4", "a quarter other than 1 to 4";
    IncomeNegative = "income.negative", Unprocessable,
        "收入项为负数", "a negative income item";
    IncomeAbsurd = "income.absurd", Unprocessable,
        "收入项超过合理上限（多输了零或把分当作元）", "an income item above its plausible limit (a zero too many, or 分 as 元)";
    IncomePerCapitaAbsurd = "income.per_capita_absurd", Unprocessable,
        "人均纯收入超过合理上限", "a per-capita net income above its plausible limit";
    IncomeHouseholdSize = "income.household_size", Unprocessable,
        "家庭人口无法用于计算人均纯收入", "a household size that per-capita income cannot be computed with";
    IncomeDuplicatePeriod = "income.duplicate_period", Unprocessable,
        "同一期间的收入登记了两次", "income for one period recorded twice";
    IncomeNetMismatch = "income.net_mismatch", Unprocessable,
        "家庭纯收入与各项收入不符，以计算结果为准（提醒）", "net income disagrees with its components; the computed value is kept (a warning)";
    IncomePerCapitaMismatch = "income.per_capita_mismatch", Unprocessable,
        "人均纯收入与计算结果不符，以计算结果为准（提醒）", "per-capita net income disagrees with the computed value, which is kept (a warning)";
    GuaranteesDate = "guarantees.date", Unprocessable,
        "三保障核查日期无效", "the guarantees' check date is not valid";

    // ------------------------------------------------------------ standards, rules and screening
    StandardYear = "standard.year", Unprocessable,
        "监测标准年度不在2000–2100之间", "a standard's year outside 2000–2100";
    StandardRegionLevel = "standard.region_level", Unprocessable,
        "监测标准只能按省、市、县设定", "a standard set below county level";
    StandardLineMissing = "standard.line_missing", Unprocessable,
        "没有设定监测线", "no monitoring line is set";
    StandardLineNotPositive = "standard.line_not_positive", Unprocessable,
        "监测线不大于0", "a monitoring line of 0 or less";
    StandardLineAbsurd = "standard.line_absurd", Unprocessable,
        "监测线超过合理上限（把分当作元）", "a monitoring line above its plausible limit (分 as 元)";
    StandardRange = "standard.range", Unprocessable,
        "监测标准的数值超出范围", "a standard's value out of its range";
    StandardAmountRange = "standard.amount_range", Unprocessable,
        "监测标准的金额不大于0或超过上限", "a standard's amount of 0 or less, or above its limit";
    StandardNoticeLongerThanIdentification = "standard.notice_longer_than_identification", Unprocessable,
        "公示天数超过识别认定时限", "a notice longer than the identification limit";
    StandardDuplicate = "standard.duplicate", Unprocessable,
        "同一区划同一年有两个监测标准", "two standards for one region and year";
    StandardWarningScheme = "standard.warning_scheme", Unprocessable,
        "三级响应天数只填写了一部分", "response days given for some levels only";
    WarningSchemeDaysRange = "warning_scheme.days_range", Unprocessable,
        "响应时限不在1至90天之间", "a response time not between 1 and 90 days";
    WarningSchemeOrder = "warning_scheme.order", Unprocessable,
        "响应时限不满足红 ≤ 黄 ≤ 蓝", "response times not in the order red ≤ yellow ≤ blue";
    RuleParamRange = "rule.param_range", Unprocessable,
        "规则参数超出范围", "a rule parameter out of its range";
    RuleSetYear = "rule_set.year", Unprocessable,
        "规则设置年度不在2000–2100之间", "a rule set's year outside 2000–2100";
    RuleSetDuplicateRule = "rule_set.duplicate_rule", Unprocessable,
        "同一规则设置了两次", "one rule set twice";
    RuleSetDuplicateParam = "rule_set.duplicate_param", Unprocessable,
        "同一参数设置了两次", "one parameter set twice";
    ScreeningRegionLevel = "screening.region_level", Unprocessable,
        "筛查区划在县级以上", "screening asked for a region above county level";
    ScreeningYear = "screening.year", Unprocessable,
        "筛查年度不在2000–2100之间", "a screening year outside 2000–2100";
    SnapshotVillage = "snapshot.village", Unprocessable,
        "筛查数据指向不存在的村", "screening data naming a village that does not exist";
    WhatIfSyntax = "what_if.syntax", BadRequest,
        "模拟测算的修改不是“参数=值”的形式", "a what-if edit not written as key=value";
    WhatIfKey = "what_if.key", BadRequest,
        "模拟测算的参数未知", "an unknown what-if parameter";
    WhatIfValue = "what_if.value", BadRequest,
        "模拟测算的取值无法识别", "a what-if value that cannot be read";

    // ------------------------------------------------------------ regions, counties and users
    RegionUnknown = "region.unknown", Unprocessable,
        "区划不存在", "no such region";
    CountyLevel = "county.level", Unprocessable,
        "不是县级区划代码", "a region code that is not a county's";
    CountyNoVillages = "county.no_villages", Unprocessable,
        "数据库中没有该县的村（请先导入区划）", "the database holds no village of the county (import the regions first)";
    UsernameInvalid = "username.invalid", Unprocessable,
        "用户名为空、含空格或超过64个字符", "a username that is empty, holds spaces or is longer than 64 characters";
    UsernameTaken = "username.taken", Conflict,
        "用户名已存在", "the username is taken";
    UserRegionLevel = "user.region_level", Unprocessable,
        "区划级别与角色不符（村级用户须绑定村，乡镇用户须绑定乡镇……）", "a region whose level does not fit the role (a village cadre needs a village, a township officer a township …)";
    PasswordWeak = "password.weak", Unprocessable,
        "密码不符合要求（至少10位、三类字符、不是常见密码、不同于用户名）", "a password that breaks the policy (10 characters or more, three kinds of character, not a common password, not the username)";
    PasswordWrong = "password.wrong", Unprocessable,
        "当前密码不正确", "the current password is wrong";
    CalendarDuplicateDate = "calendar.duplicate_date", Unprocessable,
        "同一日期在工作日历中录入两次", "a date entered twice in the working calendar";
    CalendarDateOutsideYear = "calendar.date_outside_year", Unprocessable,
        "日期不在所保存的年度内", "a date outside the year being saved";
    CalendarYear = "calendar.year", Unprocessable,
        "工作日历的年度不在2000–2100之间", "a calendar year outside 2000–2100";
    CalendarRegionLevel = "calendar.region_level", Unprocessable,
        "工作日历只按省、市或县设定", "a calendar is kept only for a province, a city or a county";
    StepWrongRole = "identification.wrong_role", Forbidden,
        "这一步不由本角色办理", "this step is not done by this role";
    StepOutOfOrder = "identification.out_of_order", Conflict,
        "识别程序当前不在这一步", "the procedure is not at this step now";
    IdentificationClosed = "identification.closed", Conflict,
        "识别程序已经结束", "the procedure has ended";
    NoticeTooShort = "identification.notice_too_short", Unprocessable,
        "公示天数少于标准规定", "a notice shorter than the standard allows";
    NoticeRunning = "identification.notice_running", Unprocessable,
        "公示期尚未结束", "the notice period has not ended";
    ObjectionOpen = "identification.objection_open", Unprocessable,
        "公示异议尚未处理", "an objection to the notice is not handled yet";
    ReasonRequired = "identification.reason_required", Unprocessable,
        "须填写理由", "a reason is required";
    StepDate = "identification.date", Unprocessable,
        "步骤日期在未来或早于上一步", "a step dated in the future or before the step before it";
    CaseOpen = "identification.case_open", Conflict,
        "该户已有未消除风险的监测对象", "the household already has an open monitoring case";
    RisksInvalid = "identification.risks", Unprocessable,
        "风险类型须为一至五项且不重复", "risk types must be one to five, without repeats";
    AuthorisationMissing = "identification.authorisation", Unprocessable,
        "未记录农户签字的授权承诺书", "the household's signed authorisation is not recorded";
    GreenChannelRefused = "identification.green_channel", Unprocessable,
        "只有因灾、因意外的风险可走绿色通道", "only disaster or accident risks may take the green channel";
    LeadClosed = "lead.closed", Conflict,
        "线索已处理", "the lead is no longer open";
    LeadDuplicate = "lead.duplicate", Conflict,
        "该户已有同一风险的待处理线索", "the household already has a waiting lead of that risk";
    LeadOtherHousehold = "lead.other_household", Unprocessable,
        "线索属于另一户", "the lead belongs to another household";
    // ------------------------------------------------------------ assistance, visits and elimination
    MeasureDates = "measure.dates", Unprocessable,
        "措施结束日期早于开始日期", "a measure that ends before it starts";
    MeasureAmount = "measure.amount", Unprocessable,
        "帮扶金额为负数或超出合理范围", "a measure amount that is negative or beyond reason";
    MeasureCaseClosed = "measure.case_closed", Conflict,
        "监测对象不在帮扶中，不能添加或修改措施", "the case is not under assistance: its measures cannot be added or changed";
    MeasureState = "measure.state", Conflict,
        "措施状态不能这样变更", "a measure cannot change to that state";
    PairingOverlap = "pairing.overlap", Conflict,
        "同一人与同一户的结对时间重叠", "a pairing of the same person and household that overlaps another";
    PairingDates = "pairing.dates", Unprocessable,
        "结对结束日期早于开始日期", "a pairing that ends before it starts";
    VisitFuture = "visit.future", Unprocessable,
        "走访日期在未来", "a visit dated in the future";
    VisitNotPaired = "visit.not_paired", Unprocessable,
        "走访人未与该户结对", "the visitor is not paired with the household";
    VisitPosition = "visit.position", Unprocessable,
        "走访人不担任该职务", "the visitor does not hold that position";
    EliminationConditions = "elimination.conditions", Unprocessable,
        "风险消除条件未全部满足", "not every condition for eliminating the risk is met";
    EliminationWithoutLabour = "elimination.without_labour", Unprocessable,
        "整户无劳动能力，不标注风险消除，纳入兜底保障", "a whole household without labour capacity is not closed: it stays monitored under 兜底保障";
    EliminationCaseState = "elimination.case_state", Conflict,
        "监测对象不在风险未消除状态", "the case is not at risk";
    EliminationContact = "elimination.contact", Unprocessable,
        "须填写监测联系人和联系电话", "the monitoring contact and phone are required";
    ReflagNotClosed = "reflag.not_closed", Conflict,
        "只有风险已消除的监测对象可以风险再标注", "only a case whose risk was eliminated can be re-flagged";
    // ------------------------------------------------------------ department data and self-report
    DeptKindUnknown = "dept.kind_unknown", BadRequest,
        "未知的部门数据种类", "an unknown kind of department data";
    DeptWrongKind = "dept.wrong_kind", Unprocessable,
        "文件的表头不是该种部门数据", "the file's header is not that kind of department data";
    DeptColumnMissing = "dept.column_missing", Unprocessable,
        "部门数据文件缺少必需的列", "the department file lacks a required column";
    DeptRowInvalid = "dept.row_invalid", Unprocessable,
        "部门数据的一行有不能读取或不合规则的值", "a department row has a value that cannot be read or breaks a rule";
    DeptDuplicateBatch = "dept.duplicate_batch", Conflict,
        "同一文件或同一批次号已经导入过", "the same file or client batch id was already imported";
    DeptBatchRolledBack = "dept.batch_rolled_back", Conflict,
        "该批次已经撤回", "the batch was already rolled back";
    DeptPeriod = "dept.period", BadRequest,
        "批次所属期须为YYYY-MM", "a batch period must be YYYY-MM";
    DeptProfile = "dept.profile", Unprocessable,
        "列配置无效：关键列没有表头，或同一表头用于两列", "an invalid column profile: the key column has no header, or one header names two columns";
    DeptThreshold = "dept.threshold", Unprocessable,
        "预警阈值超出允许范围", "an alert threshold outside its range";
    DeptQueueClosed = "dept.queue_closed", Conflict,
        "未匹配记录已经处理", "the unmatched row was already handled";
    DeptTokenInvalid = "dept.token_invalid", Unauthorized,
        "接口令牌无效或已撤销", "the API token is invalid or revoked";
    DeptTokenScope = "dept.token_scope", Forbidden,
        "接口令牌不能推送该种数据", "the API token may not push this kind of data";
    DeptPushBody = "dept.push_body", BadRequest,
        "推送内容不能读取（须为JSON行或CSV）", "the pushed body cannot be read (JSON lines or CSV)";
    DeptPushOverLimit = "dept.push_over_limit", Unprocessable,
        "推送内容超出上限（64 MiB、200000条记录或每行16 KiB）", "the pushed body is over a limit (64 MiB, 200,000 records or 16 KiB a line)";
    ReportRateLimited = "report.rate_limited", TooManyRequests,
        "申报过于频繁，请稍后再试", "too many reports: try again later";
    ReportChallenge = "report.challenge", Unprocessable,
        "验证题答案不对或已过期", "the check question's answer is wrong or expired";
    ReportMobile = "report.mobile", Unprocessable,
        "手机号码须为11位、以1开头", "a mobile number must have 11 digits and start with 1";
    ReportFieldMissing = "report.field_missing", Unprocessable,
        "自主申报缺少必填项", "a self-report lacks a required field";
    ReportNotFound = "report.not_found", NotFound,
        "没有与回执号和手机号码相符的申报", "no report matches that receipt and mobile number";
    DeptDeathDecided = "dept.death_decided", Conflict,
        "该死亡预警已经确认或驳回", "the death alert was already confirmed or rejected";
    QualityReason = "quality.reason", Unprocessable,
        "豁免或撤销须写明理由（4至500字）", "an exemption or its withdrawal needs a reason of 4 to 500 characters";
    QualityRule = "quality.rule", BadRequest,
        "没有这条核查规则", "no such data-quality rule";
    QualityRecord = "quality.record", Unprocessable,
        "该记录目前没有触发这条规则", "the record does not break this rule now";
    QualityExempted = "quality.exempted", Conflict,
        "该记录已有这条规则的豁免", "the record already has an exemption from this rule";
    QualityWithdrawn = "quality.withdrawn", Conflict,
        "该豁免已经撤销", "the exemption was already withdrawn";
    RankingWeightInvalid = "ranking.weight_invalid", Unprocessable,
        "考核权重应为0到100的整数，且至少一项大于0", "ranking weights are whole numbers from 0 to 100, at least one above 0";
    SupervisionTableUnknown = "supervision.table_unknown", NotFound,
        "没有这张报表", "no such table";
    StatsPeriod = "stats.period", Unprocessable,
        "统计期间无效：起始日期须不晚于截止日期，且不晚于统计截至日", "an invalid period: its start must not follow its end, nor the as-of date";
    StatsCategory = "stats.category", BadRequest,
        "未知的统计类别", "an unknown statistics category";
    IncomeTrackingNoteMissing = "income_tracking.note_missing", Unprocessable,
        "销号须写明做了什么、核实了什么", "a clearing needs a note of what was done or checked";
    IncomeTrackingStillBelow = "income_tracking.still_below", Unprocessable,
        "人均纯收入仍低于低收入监测线，不能以增收销号", "the per-capita income is still below the watch line; it cannot be cleared as raised";
    IncomeTrackingNotSafeguarded = "income_tracking.not_safeguarded", Unprocessable,
        "该户未纳入低保或特困供养", "the household has neither the minimum living allowance nor extreme-poverty support";
    IncomeTrackingHouseholdLiving = "income_tracking.household_living", Unprocessable,
        "该户仍有在册成员", "members still live in the household";
    IncomeTrackingCleared = "income_tracking.cleared", Conflict,
        "该户已销号", "the household was already cleared";
    IncomeTrackingMethod = "income_tracking.method", BadRequest,
        "销号方式无法识别", "the clearing method is not one of the list";
    IncomeTrackingYear = "income_tracking.year", BadRequest,
        "年度应在2000至2100之间", "the year must be between 2000 and 2100";
}

impl ProblemCode {
    /// The code of a stable text, `None` for a text no code has.
    pub fn parse(text: &str) -> Option<ProblemCode> {
        ProblemCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProblemCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    #[test]
    fn every_code_has_its_own_text() {
        let mut seen = HashSet::new();
        for c in ProblemCode::ALL {
            assert!(
                seen.insert(c.as_str()),
                "{} is used by two codes",
                c.as_str()
            );
        }
        assert_eq!(seen.len(), ProblemCode::ALL.len());
    }

    #[test]
    fn every_code_reads_as_lower_case_words_and_says_what_it_means_in_both_languages() {
        for c in ProblemCode::ALL {
            let t = c.as_str();
            assert!(
                !t.is_empty()
                    && !t.starts_with('.')
                    && !t.ends_with('.')
                    && t.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'_'
                        || b == b'.'),
                "{t}"
            );
            assert!(
                c.zh()
                    .chars()
                    .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{t}: {}",
                c.zh()
            );
            assert!(c.en().chars().any(|ch| ch.is_ascii_alphabetic()), "{t}");
            assert_eq!(ProblemCode::parse(t), Some(*c));
        }
        assert_eq!(ProblemCode::parse("invalid.nothing"), None);
    }

    /// The rows of the table in `docs/problem-codes.md`: code → (status, 中文, English).
    fn documented() -> BTreeMap<String, (String, String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/problem-codes.md");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut rows = BTreeMap::new();
        for line in text.lines() {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let [code, status, zh, en] = cells[..] else {
                continue;
            };
            let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
                continue;
            };
            let again = rows.insert(
                code.to_string(),
                (status.to_string(), zh.to_string(), en.to_string()),
            );
            assert!(again.is_none(), "docs/problem-codes.md lists {code} twice");
        }
        rows
    }

    #[test]
    fn docs_list_every_code_with_its_status_and_meaning_and_no_other() {
        let docs = documented();
        let mut wrong = Vec::new();
        for c in ProblemCode::ALL {
            let row = (
                c.status().as_u16().to_string(),
                c.zh().to_string(),
                c.en().to_string(),
            );
            if docs.get(c.as_str()) != Some(&row) {
                wrong.push(format!(
                    "| `{}` | {} | {} | {} |",
                    c.as_str(),
                    row.0,
                    row.1,
                    row.2
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "docs/problem-codes.md lacks or differs on these rows:\n{}",
            wrong.join("\n")
        );
        let gone: Vec<&String> = docs
            .keys()
            .filter(|k| ProblemCode::parse(k).is_none())
            .collect();
        assert!(
            gone.is_empty(),
            "docs/problem-codes.md lists codes that no longer exist: {gone:?}"
        );
    }
}
