//! Code lists (代码表) of the national system, as enums with their Chinese labels.
//! Each list parses the label the ledgers carry and gives it back unchanged.
//!
//! A code keeps its stored number for good: the number is written next to each value below, the
//! national code table's where one is known, and a value added later takes a number of its own.
//! Changing a number means a migration of every stored row (see `tests/stored_codes.rs`).

use serde::{Deserialize, Serialize};

/// Declares a code list: variants with their stored numbers and their Chinese and English
/// labels, `parse_zh`, `label_zh`, `label_en`, `code`, `from_code` and `ALL`. Serialised as the
/// Chinese label, which is what users and files exchange; stored in the database as the number.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $zh:literal, $en:literal;)+ }) => {
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
            /// The number stored for this value, as pinned in the list (never its position).
            pub fn code(self) -> i64 { match self { $($name::$variant => $code,)+ } }
            /// The value stored as `code`; `None` for a number no value carries.
            pub fn from_code(code: i64) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        // two values with one number would read back as the same value: refuse to build
        const _: () = {
            let codes: &[i64] = &[$($code,)+];
            let mut i = 0;
            while i < codes.len() {
                let mut j = i + 1;
                while j < codes.len() {
                    assert!(codes[i] != codes[j], concat!("two ", stringify!($name), " values share a stored number"));
                    j += 1;
                }
                i += 1;
            }
        };

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
    /// 性别. Numbers of GB/T 2261.1 (1 男, 2 女), the national sex code.
    Sex {
        Male = 1 => "男", "male";
        Female = 2 => "女", "female";
    }
);

code_list!(
    /// 与户主关系 (code table 1010). The table's own numbers were not found (domain-research §9.2):
    /// the numbers are the list's first order.
    Relation {
        Head = 0 => "户主", "head";
        Spouse = 1 => "配偶", "spouse";
        Son = 2 => "之子", "son";
        Daughter = 3 => "之女", "daughter";
        DaughterInLaw = 4 => "之儿媳", "daughter-in-law";
        SonInLaw = 5 => "之女婿", "son-in-law";
        Grandson = 6 => "之孙子", "grandson";
        Granddaughter = 7 => "之孙女", "granddaughter";
        DaughtersSon = 8 => "之外孙子", "daughter's son";
        DaughtersDaughter = 9 => "之外孙女", "daughter's daughter";
        Father = 10 => "之父", "father";
        Mother = 11 => "之母", "mother";
        WifesFather = 12 => "之岳父", "wife's father";
        WifesMother = 13 => "之岳母", "wife's mother";
        HusbandsFather = 14 => "之公公", "husband's father";
        HusbandsMother = 15 => "之婆婆", "husband's mother";
        Grandfather = 16 => "之祖父", "grandfather";
        Grandmother = 17 => "之祖母", "grandmother";
        MaternalGrandfather = 18 => "之外祖父", "maternal grandfather";
        MaternalGrandmother = 19 => "之外祖母", "maternal grandmother";
        Sibling = 20 => "之兄弟姐妹", "sibling";
        GreatGrandson = 21 => "之曾孙子", "great-grandson";
        GreatGranddaughter = 22 => "之曾孙女", "great-granddaughter";
        Nephew = 23 => "之侄儿", "nephew";
        Niece = 24 => "之侄女", "niece";
        SiblingInLaw = 25 => "之兄弟媳妇", "sibling-in-law";
        Uncle = 26 => "之叔伯", "uncle";
        Other = 27 => "其他", "other";
    }
);

code_list!(
    /// 户类型 (code table 100A03). Numbers not found (脱贫不享受政策户 is 100A03A02, not a number):
    /// the list's first order.
    HouseholdType {
        PostPoverty = 0 => "脱贫户", "post-poverty household";
        Ordinary = 1 => "一般农户", "ordinary household";
        PostPovertyNoPolicy = 2 => "脱贫不享受政策户", "post-poverty, no longer receiving policies";
        Other = 3 => "其他", "other";
    }
);

code_list!(
    /// 文化程度 (100A11), only for members not in school. Numbers not found: the list's first order.
    Education {
        Illiterate = 0 => "文盲或半文盲", "illiterate or semi-literate";
        Primary = 1 => "小学", "primary school";
        JuniorMiddle = 2 => "初中", "junior middle school";
        SeniorMiddle = 3 => "高中", "senior middle school";
        College = 4 => "大专", "junior college";
        Bachelor = 5 => "本科及以上", "bachelor or above";
    }
);

code_list!(
    /// 在校生状况 (100A12). Numbers not found: the list's first order.
    Schooling {
        PreschoolAge = 0 => "学龄前儿童", "preschool age";
        Preschool = 1 => "学前教育", "in preschool";
        Primary = 2 => "小学", "primary school";
        Grade7 = 3 => "七年级", "grade 7";
        Grade8 = 4 => "八年级", "grade 8";
        Grade9 = 5 => "九年级", "grade 9";
        HighSchool1 = 6 => "普通高中一年级", "senior high year 1";
        HighSchool2 = 7 => "普通高中二年级", "senior high year 2";
        HighSchool3 = 8 => "普通高中三年级", "senior high year 3";
        Vocational1 = 9 => "中职一年级", "vocational school year 1";
        Vocational2 = 10 => "中职二年级", "vocational school year 2";
        Vocational3 = 11 => "中职三年级", "vocational school year 3";
        HigherVocational1 = 12 => "高职高专一年级", "higher vocational year 1";
        HigherVocational2 = 13 => "高职高专二年级", "higher vocational year 2";
        HigherVocational3 = 14 => "高职高专三年级", "higher vocational year 3";
        Technician1 = 15 => "技师学院一年级", "technician college year 1";
        Technician2 = 16 => "技师学院二年级", "technician college year 2";
        Technician3 = 17 => "技师学院三年级", "technician college year 3";
        Technician4 = 18 => "技师学院四年级", "technician college year 4";
        University1 = 19 => "本科一年级", "university year 1";
        University2 = 20 => "本科二年级", "university year 2";
        University3 = 21 => "本科三年级", "university year 3";
        University4 = 22 => "本科四年级", "university year 4";
        University5 = 23 => "本科五年级", "university year 5";
        Postgraduate = 24 => "硕士研究生及以上", "postgraduate";
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
    /// 劳动技能 (100A14). Numbers not found: the list's first order.
    LabourCapacity {
        Ordinary = 0 => "普通劳动力", "ordinary labour";
        Skilled = 1 => "技能劳动力", "skilled labour";
        Weak = 2 => "弱劳动力或半劳动力", "weak or half labour";
        Lost = 3 => "丧失劳动力", "lost labour capacity";
        None = 4 => "无劳动力", "no labour capacity";
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
    /// 政治面貌 (100A10). Numbers not found: the list's first order.
    Political {
        PartyMember = 0 => "中共党员", "CPC member";
        ProbationaryMember = 1 => "中共预备党员", "CPC probationary member";
        LeagueMember = 2 => "共青团员", "CYL member";
        Masses = 3 => "群众", "masses";
    }
);

code_list!(
    /// 健康状况 conditions (100A13); a member may have several, see [`Health`], which stores them as
    /// bits of their own. Numbers not found: the list's first order.
    HealthCondition {
        Healthy = 0 => "健康", "healthy";
        ChronicIllness = 1 => "长期慢性病", "long-term chronic illness";
        SeriousIllness = 2 => "患有大病", "serious illness";
        Disabled = 3 => "残疾", "disabled";
    }
);

/// 健康状况: a set of conditions, written comma-separated (`残疾,长期慢性病`). Stored as one
/// number whose bits are the conditions ([`Health::bits`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Health(u8);

impl Health {
    pub const HEALTHY: Health = Health(Health::bit(HealthCondition::Healthy));
    /// The bit of each condition in the stored number, pinned apart from the conditions' codes:
    /// stored rows carry these bits.
    const fn bit(c: HealthCondition) -> u8 {
        match c {
            HealthCondition::Healthy => 1,
            HealthCondition::ChronicIllness => 1 << 1,
            HealthCondition::SeriousIllness => 1 << 2,
            HealthCondition::Disabled => 1 << 3,
        }
    }
    pub fn has(self, c: HealthCondition) -> bool {
        self.0 & Health::bit(c) != 0
    }
    pub fn with(self, c: HealthCondition) -> Health {
        Health(self.0 | Health::bit(c))
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
