//! The password policy (密码策略, 等保三级 style): a password has at least ten characters, holds
//! three of the four kinds of character (lower-case letters, capitals, digits, other signs), is
//! not one of the common passwords that leaked lists show people choose, and is not the username
//! nor contains it. The list of common passwords is built into the program, so that a county
//! without internet access checks the same list.

use crate::{Problem, ProblemCode};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;

const COMMON: &str = include_str!("password/common.txt");

/// Whether `password` is on the built-in list of common passwords, whatever its case.
pub fn is_common(password: &str) -> bool {
    let lower = password.trim().to_lowercase();
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
}

/// Checks a new password for `username` against the policy; the refusal says which rule failed.
pub fn check(username: &str, password: &str) -> Result<(), Problem> {
    let weak =
        |zh: &str, en: &str| Err(Problem::new(ProblemCode::PasswordWeak, "password", zh, en));
    if password.chars().count() < MIN_LENGTH {
        return weak(
            "密码至少10个字符",
            "the password needs at least 10 characters",
        );
    }
    let kinds = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return weak(
            "密码须包含以下四类字符中的至少三类：小写字母、大写字母、数字、其他符号",
            "the password needs three of: lower-case letters, capitals, digits, other signs",
        );
    }
    let (name, lower) = (username.trim().to_lowercase(), password.to_lowercase());
    if !name.is_empty() && lower.contains(&name) {
        return weak(
            "密码不能包含用户名",
            "the password must not contain the username",
        );
    }
    if is_common(password) {
        return weak(
            "这是常见密码，很容易被猜中，请换一个",
            "this is a common password, easily guessed: choose another",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(username: &str, password: &str) -> bool {
        check(username, password).is_err_and(|p| p.code == ProblemCode::PasswordWeak)
    }

    #[test]
    fn short_passwords_and_those_of_one_or_two_kinds_are_refused() {
        assert!(refused("cadre", "password"));
        assert!(refused("cadre", "aaaaaaaa"));
        assert!(refused("cadre", "Ab1!Ab1!"));
        assert!(refused("cadre", "abcdefghijkl"));
        assert!(refused("cadre", "abcdefgh1234"));
        assert!(!refused("cadre", "Hills-of-Wangcang7"));
        assert!(!refused("cadre", "桃红村apple2026"));
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert!(is_common("Password123"));
        assert!(is_common("P@ssw0rd123"));
        assert!(refused("cadre", "P@ssw0rd123"));
        assert!(refused("cadre", "QWERTYuiop123"));
        assert!(refused("cadre", "Admin@123456"));
        assert!(!is_common("Hills-of-Wangcang7"));
    }

    #[test]
    fn a_password_may_not_contain_the_username() {
        assert!(refused("zhaowen", "Zhaowen-2026"));
        assert!(!refused("zhaowen", "Taohong-2026"));
    }
}
