//! Code lists (代码表) of the national system, as enums with their Chinese labels.
//! Each list parses the label the ledgers carry and gives it back unchanged.

use serde::{Deserialize, Serialize};

/// Declares a code list: variants with their Chinese and English labels, `parse_zh`, `label_zh`,
/// `label_en` and `ALL`. Serialised as the Chinese label, which is what users and files exchange.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { $(#[doc = $zh] $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh,)+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en,)+ } }
            pub fn parse_zh(text: &str) -> Option<$name> {
                match text.trim() { $($zh => Some($name::$variant),)+ _ => None }
            }
            /// A stable small integer for storage: the position in `ALL`.
            pub fn code(self) -> i64 { $name::ALL.iter().position(|v| *v == self).unwrap_or(0) as i64 }
            pub fn from_code(code: i64) -> Option<$name> {
                usize::try_from(code).ok().and_then(|i| $name::ALL.get(i).copied())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(v: String) -> Result<Self, String> {
                $name::parse_zh(&v).ok_or_else(|| format!("unknown {}: {v}", stringify!($name)))
            }
        }
        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str { v.label_zh() }
        }
    };
}
pub(crate) use code_list;

code_list!(
    /// 性别
    Sex {
        Male => "男", "male";
        Female => "女", "female";
    }
);

code_list!(
    /// 与户主关系 (code table 1010)
    Relation {
        Head => "户主", "head";
        Spouse => "配偶", "spouse";
        Son => "之子", "son";
        Daughter => "之女", "daughter";
        DaughterInLaw => "之儿媳", "daughter-in-law";
        SonInLaw => "之女婿", "son-in-law";
        Grandson => "之孙子", "grandson";
        Granddaughter => "之孙女", "granddaughter";
        DaughtersSon => "之外孙子", "daughter's son";
        DaughtersDaughter => "之外孙女", "daughter's daughter";
        Father => "之父", "father";
        Mother => "之母", "mother";
        WifesFather => "之岳父", "wife's father";
        WifesMother => "之岳母", "wife's mother";
        HusbandsFather => "之公公", "husband's father";
        HusbandsMother => "之婆婆", "husband's mother";
        Grandfather => "之祖父", "grandfather";
        Grandmother => "之祖母", "grandmother";
        MaternalGrandfather => "之外祖父", "maternal grandfather";
        MaternalGrandmother => "之外祖母", "maternal grandmother";
        Sibling => "之兄弟姐妹", "sibling";
        GreatGrandson => "之曾孙子", "great-grandson";
        GreatGranddaughter => "之曾孙女", "great-granddaughter";
        Nephew => "之侄儿", "nephew";
        Niece => "之侄女", "niece";
        SiblingInLaw => "之兄弟媳妇", "sibling-in-law";
        Uncle => "之叔伯", "uncle";
        Other => "其他", "other";
    }
);

code_list!(
    /// 户类型 (code table 100A03)
    HouseholdType {
        PostPoverty => "脱贫户", "post-poverty household";
        Ordinary => "一般农户", "ordinary household";
        PostPovertyNoPolicy => "脱贫不享受政策户", "post-poverty, no longer receiving policies";
        Other => "其他", "other";
    }
);

code_list!(
    /// 文化程度 (100A11), only for members not in school
    Education {
        Illiterate => "文盲或半文盲", "illiterate or semi-literate";
        Primary => "小学", "primary school";
        JuniorMiddle => "初中", "junior middle school";
        SeniorMiddle => "高中", "senior middle school";
        College => "大专", "junior college";
        Bachelor => "本科及以上", "bachelor or above";
    }
);

code_list!(
    /// 在校生状况 (100A12)
    Schooling {
        PreschoolAge => "学龄前儿童", "preschool age";
        Preschool => "学前教育", "in preschool";
        Primary => "小学", "primary school";
        Grade7 => "七年级", "grade 7";
        Grade8 => "八年级", "grade 8";
        Grade9 => "九年级", "grade 9";
        HighSchool1 => "普通高中一年级", "senior high year 1";
        HighSchool2 => "普通高中二年级", "senior high year 2";
        HighSchool3 => "普通高中三年级", "senior high year 3";
        Vocational1 => "中职一年级", "vocational school year 1";
        Vocational2 => "中职二年级", "vocational school year 2";
        Vocational3 => "中职三年级", "vocational school year 3";
        HigherVocational1 => "高职高专一年级", "higher vocational year 1";
        HigherVocational2 => "高职高专二年级", "higher vocational year 2";
        HigherVocational3 => "高职高专三年级", "higher vocational year 3";
        Technician1 => "技师学院一年级", "technician college year 1";
        Technician2 => "技师学院二年级", "technician college year 2";
        Technician3 => "技师学院三年级", "technician college year 3";
        Technician4 => "技师学院四年级", "technician college year 4";
        University1 => "本科一年级", "university year 1";
        University2 => "本科二年级", "university year 2";
        University3 => "本科三年级", "university year 3";
        University4 => "本科四年级", "university year 4";
        University5 => "本科五年级", "university year 5";
        Postgraduate => "硕士研究生及以上", "postgraduate";
    }
);

impl Schooling {
    /// Compulsory education (义务教育): primary school to grade 9.
    pub fn is_compulsory(self) -> bool {
        matches!(
            self,
            Schooling::Primary | Schooling::Grade7 | Schooling::Grade8 | Schooling::Grade9
        )
    }
    /// In school but past compulsory education (high school, vocational, university).
    pub fn is_non_compulsory(self) -> bool {
        !self.is_compulsory() && !matches!(self, Schooling::PreschoolAge | Schooling::Preschool)
    }
}

code_list!(
    /// 劳动技能 (100A14)
    LabourCapacity {
        Ordinary => "普通劳动力", "ordinary labour";
        Skilled => "技能劳动力", "skilled labour";
        Weak => "弱劳动力或半劳动力", "weak or half labour";
        Lost => "丧失劳动力", "lost labour capacity";
        None => "无劳动力", "no labour capacity";
    }
);

impl LabourCapacity {
    /// Whether this member can work (普通 or 技能, and 弱/半).
    pub fn can_work(self) -> bool {
        matches!(
            self,
            LabourCapacity::Ordinary | LabourCapacity::Skilled | LabourCapacity::Weak
        )
    }
}

code_list!(
    /// 政治面貌 (100A10)
    Political {
        PartyMember => "中共党员", "CPC member";
        ProbationaryMember => "中共预备党员", "CPC probationary member";
        LeagueMember => "共青团员", "CYL member";
        Masses => "群众", "masses";
    }
);

code_list!(
    /// 健康状况 conditions (100A13); a member may have several, see [`Health`].
    HealthCondition {
        Healthy => "健康", "healthy";
        ChronicIllness => "长期慢性病", "long-term chronic illness";
        SeriousIllness => "患有大病", "serious illness";
        Disabled => "残疾", "disabled";
    }
);

/// 健康状况: a set of conditions, written comma-separated (`残疾,长期慢性病`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Health(u8);

impl Health {
    pub const HEALTHY: Health = Health(1);
    pub fn has(self, c: HealthCondition) -> bool {
        self.0 & (1 << c.code()) != 0
    }
    pub fn with(self, c: HealthCondition) -> Health {
        Health(self.0 | (1 << c.code()))
    }
    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }
    pub fn from_bits(bits: i64) -> Health {
        Health((bits & 0x0f) as u8)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Parses `健康`, `残疾,长期慢性病`, with ASCII or Chinese commas or 、 as separators.
    /// 健康 cannot be combined with an illness or disability.
    pub fn parse_zh(text: &str) -> Option<Health> {
        let mut h = Health(0);
        for part in text
            .split([',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            h = h.with(HealthCondition::parse_zh(part)?);
        }
        if h.has(HealthCondition::Healthy) && h.0 != Health::HEALTHY.0 {
            return None;
        }
        Some(h)
    }
    pub fn label_zh(self) -> String {
        HealthCondition::ALL
            .iter()
            .filter(|c| self.has(**c))
            .map(|c| c.label_zh())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl TryFrom<String> for Health {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        Health::parse_zh(&v).ok_or_else(|| format!("unknown health: {v}"))
    }
}
impl From<Health> for String {
    fn from(h: Health) -> String {
        h.label_zh()
    }
}

/// Parses the yes/no forms ledgers use: 是/否, 1/0, Y/N, true/false; empty is `None`.
pub fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim() {
        "是" | "1" | "Y" | "y" | "yes" | "Yes" | "true" | "TRUE" | "√" => Some(true),
        "否" | "0" | "N" | "n" | "no" | "No" | "false" | "FALSE" | "×" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_twenty_eight_relations_round_trip_through_their_labels() {
        assert_eq!(Relation::ALL.len(), 28);
        for r in Relation::ALL {
            assert_eq!(Relation::parse_zh(r.label_zh()), Some(*r));
            assert_eq!(Relation::from_code(r.code()), Some(*r));
        }
    }

    #[test]
    fn health_combinations_parse_in_any_order() {
        let h = Health::parse_zh("残疾，长期慢性病").unwrap();
        assert!(h.has(HealthCondition::Disabled) && h.has(HealthCondition::ChronicIllness));
        assert_eq!(h.label_zh(), "长期慢性病,残疾");
        assert_eq!(Health::parse_zh("健康,残疾"), None);
        assert_eq!(Health::parse_zh("感冒"), None);
    }

    #[test]
    fn compulsory_schooling_is_primary_to_grade_nine() {
        assert!(Schooling::Grade9.is_compulsory());
        assert!(!Schooling::HighSchool1.is_compulsory());
        assert!(Schooling::HighSchool1.is_non_compulsory());
        assert!(!Schooling::PreschoolAge.is_non_compulsory());
    }
}
