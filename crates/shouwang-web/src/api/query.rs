//! What the API reads from a request's address. A filter the API cannot read is refused, never
//! dropped: `?level=purple` would otherwise list every level, and the caller would take the list
//! for the red ones. So a query parameter the route does not know, one given twice, or one whose
//! value does not parse is answered 400 `query.invalid`, naming the parameter and what it accepts;
//! an empty value (`?level=`) means the filter is not set, as in a form. A path whose parts do not
//! parse (`/members/x/reveal`) names nothing that exists: 404, in the same JSON shape.

use crate::error::AppError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use shouwang_core::{Problem, ProblemCode};
use std::str::FromStr;

/// Parameters every route accepts: the interface language, read by the session layer.
const EVERYWHERE: &[&str] = &["lang"];

/// What a route reads from its query string.
pub trait FromQuery: Sized {
    /// The parameters the route knows, besides `lang`.
    const PARAMS: &'static [&'static str];
    fn read(q: &Params) -> Result<Self, AppError>;
}

/// A route that takes no query parameter but `lang`.
pub struct NoParams;

impl FromQuery for NoParams {
    const PARAMS: &'static [&'static str] = &[];
    fn read(_: &Params) -> Result<NoParams, AppError> {
        Ok(NoParams)
    }
}

/// The query string as name–value pairs, each name at most once and known to the route.
pub struct Params(Vec<(String, String)>);

fn refuse(name: &str, zh: String, en: String) -> AppError {
    AppError::Invalid(vec![Problem::new(ProblemCode::QueryInvalid, name, zh, en)])
}

impl Params {
    fn read(raw: &str, known: &[&str]) -> Result<Params, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|_| {
            refuse(
                "",
                "查询字符串无法解析".into(),
                "the query string cannot be parsed".into(),
            )
        })?;
        for (i, (name, value)) in pairs.iter().enumerate() {
            // no stored text holds a NUL, and PostgreSQL refuses one in a query
            if name.contains('\0') || value.contains('\0') {
                return Err(refuse(
                    name,
                    format!("查询参数“{}”含有NUL字符", name.replace('\0', "")),
                    format!(
                        "the query parameter '{}' contains a NUL character",
                        name.replace('\0', "")
                    ),
                ));
            }
            if !known.contains(&name.as_str()) && !EVERYWHERE.contains(&name.as_str()) {
                let list = if known.is_empty() {
                    ("无".to_string(), "none".to_string())
                } else {
                    (known.join("、"), known.join(", "))
                };
                return Err(refuse(
                    name,
                    format!("未知的查询参数“{name}”，可用的参数：{}", list.0),
                    format!(
                        "unknown query parameter '{name}'; this call knows: {}",
                        list.1
                    ),
                ));
            }
            if pairs[..i].iter().any(|(n, _)| n == name) {
                return Err(refuse(
                    name,
                    format!("查询参数“{name}”出现了两次"),
                    format!("the query parameter '{name}' is given twice"),
                ));
            }
        }
        Ok(Params(pairs))
    }

    /// The value as given; `None` when the parameter is absent.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value, trimmed; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The value read by `parse`; one it cannot read is refused, saying what is accepted.
    pub fn parse<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        accepted_zh: &str,
        accepted_en: &str,
    ) -> Result<Option<T>, AppError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        parse(v).map(Some).ok_or_else(|| {
            refuse(
                name,
                format!("查询参数{name}的值“{v}”无法识别，应为{accepted_zh}"),
                format!("the query parameter {name} has a value '{v}' that cannot be read; expected {accepted_en}"),
            )
        })
    }

    /// A whole number.
    pub fn int<T: FromStr>(&self, name: &str) -> Result<Option<T>, AppError> {
        self.parse(name, |v| v.parse().ok(), "整数", "a whole number")
    }
}

/// The route's query, read as [`FromQuery`] says.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: FromQuery> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let params = Params::read(parts.uri.query().unwrap_or(""), T::PARAMS)?;
        T::read(&params).map(ApiQuery)
    }
}

/// The path's parts; parts that do not parse address nothing (404).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        use axum::extract::rejection::PathRejection;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(AppError::NotFound),
            Err(e) => Err(AppError::Internal(e.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str, known: &[&str]) -> Result<Params, ProblemCode> {
        Params::read(raw, known).map_err(|e| e.code())
    }

    #[test]
    fn a_known_parameter_is_read_and_lang_is_known_everywhere() {
        let q = read("level=red&lang=en", &["level"]).unwrap();
        assert_eq!(q.text("level"), Some("red"));
        assert!(read("lang=en", &[]).is_ok());
    }

    #[test]
    fn an_unknown_or_repeated_parameter_is_refused() {
        assert_eq!(
            read("levle=red", &["level"]).err(),
            Some(ProblemCode::QueryInvalid)
        );
        assert_eq!(
            read("level=red&level=blue", &["level"]).err(),
            Some(ProblemCode::QueryInvalid)
        );
    }

    #[test]
    fn a_nul_character_in_a_name_or_value_is_refused() {
        assert_eq!(
            read("q=a%00b", &["q"]).err(),
            Some(ProblemCode::QueryInvalid)
        );
        assert_eq!(
            read("q%00=a", &["q"]).err(),
            Some(ProblemCode::QueryInvalid)
        );
    }

    #[test]
    fn a_value_that_does_not_parse_is_refused_and_an_empty_one_is_no_filter() {
        let q = read("limit=ten&year=&offset=5", &["limit", "year", "offset"]).unwrap();
        assert_eq!(
            q.int::<i64>("limit").err().map(|e| e.code()),
            Some(ProblemCode::QueryInvalid)
        );
        assert_eq!(q.int::<i32>("year").ok(), Some(None));
        assert_eq!(q.int::<i64>("offset").ok(), Some(Some(5)));
    }
}
