//! Refused requests, answered as JSON: `{"error": <message in Chinese>,
//! "code": <stable machine code>, …}` with extra fields where they help
//! (`column` of a query error; `parameter`, `value`, `accepted` of a bad
//! parameter). Programs match on `code` (listed in [`Code::ALL`] and the
//! OpenAPI document); people read `error`.

use super::params::ParamError;
use crate::index::query::QueryError;
use crate::review::{DISMISS_REASONS, MAX_ASSIGNEE_CHARS, ReviewError, STATUSES};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The machine codes of refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 401: no valid session.
    Unauthenticated,
    /// 401: login with a wrong user name or password.
    WrongCredentials,
    /// 403: the session's role is below the endpoint's.
    RoleTooLow,
    /// 403: X-CSRF-Token missing or wrong.
    CsrfFailed,
    /// 403: the Origin is another site.
    CrossSite,
    /// 429: too many failed logins.
    LoginThrottled,
    /// 400: a parameter's value cannot be used.
    InvalidParameter,
    /// 400: a parameter the endpoint does not have.
    UnknownParameter,
    /// 400 (or 415, 422): the request body is not the JSON expected.
    InvalidBody,
    /// 400: the search query does not parse or cannot run.
    QuerySyntax,
    /// 400: a case change with neither status nor assignee.
    NothingToChange,
    /// 404: no such item.
    ItemNotFound,
    /// 404: no such case.
    CaseNotFound,
    /// 422: not a case status.
    UnknownStatus,
    /// 422: the workflow does not allow this status change.
    TransitionNotAllowed,
    /// 422: a dismissal without a reason.
    ReasonRequired,
    /// 422: not a dismissal reason.
    UnknownReason,
    /// 422: no account of that name.
    UnknownAssignee,
    /// 422: the account is an analyst.
    AssigneeCannotWork,
    /// 422: not a name that can be an assignee.
    BadAssigneeName,
    /// 404: no such endpoint.
    NoSuchEndpoint,
    /// 500: see the server log.
    InternalError,
}

impl Code {
    /// Every code, for the OpenAPI document.
    pub const ALL: [Code; 22] = [
        Code::Unauthenticated,
        Code::WrongCredentials,
        Code::RoleTooLow,
        Code::CsrfFailed,
        Code::CrossSite,
        Code::LoginThrottled,
        Code::InvalidParameter,
        Code::UnknownParameter,
        Code::InvalidBody,
        Code::QuerySyntax,
        Code::NothingToChange,
        Code::ItemNotFound,
        Code::CaseNotFound,
        Code::UnknownStatus,
        Code::TransitionNotAllowed,
        Code::ReasonRequired,
        Code::UnknownReason,
        Code::UnknownAssignee,
        Code::AssigneeCannotWork,
        Code::BadAssigneeName,
        Code::NoSuchEndpoint,
        Code::InternalError,
    ];

    /// The code as sent (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "unauthenticated",
            Code::WrongCredentials => "wrong_credentials",
            Code::RoleTooLow => "role_too_low",
            Code::CsrfFailed => "csrf_failed",
            Code::CrossSite => "cross_site",
            Code::LoginThrottled => "login_throttled",
            Code::InvalidParameter => "invalid_parameter",
            Code::UnknownParameter => "unknown_parameter",
            Code::InvalidBody => "invalid_body",
            Code::QuerySyntax => "query_syntax",
            Code::NothingToChange => "nothing_to_change",
            Code::ItemNotFound => "item_not_found",
            Code::CaseNotFound => "case_not_found",
            Code::UnknownStatus => "unknown_status",
            Code::TransitionNotAllowed => "transition_not_allowed",
            Code::ReasonRequired => "reason_required",
            Code::UnknownReason => "unknown_reason",
            Code::UnknownAssignee => "unknown_assignee",
            Code::AssigneeCannotWork => "assignee_cannot_work",
            Code::BadAssigneeName => "bad_assignee_name",
            Code::NoSuchEndpoint => "no_such_endpoint",
            Code::InternalError => "internal_error",
        }
    }

    /// What it means, for the OpenAPI document.
    pub fn description(self) -> &'static str {
        match self {
            Code::Unauthenticated => "401: no valid session; log in with POST /api/v1/login",
            Code::WrongCredentials => "401: wrong user name or password",
            Code::RoleTooLow => "403: the session's role is below the one the endpoint needs",
            Code::CsrfFailed => "403: X-CSRF-Token missing or wrong",
            Code::CrossSite => "403: the Origin header names another site",
            Code::LoginThrottled => {
                "429: too many failed logins for the account; Retry-After says when to try again"
            }
            Code::InvalidParameter => {
                "400: a parameter's value cannot be used; `parameter`, `value` and `accepted` say which and what is"
            }
            Code::UnknownParameter => {
                "400: the endpoint has no such parameter; `parameter` names it, `accepted` lists those there are"
            }
            Code::InvalidBody => "400 (415, 422): the request body is not the JSON expected",
            Code::QuerySyntax => {
                "400: the search query does not parse or cannot run; `column` says where"
            }
            Code::NothingToChange => {
                "400: a case change needs a status (with a note) or an assignee"
            }
            Code::ItemNotFound => "404: no item with that id",
            Code::CaseNotFound => "404: no case with that id",
            Code::UnknownStatus => "422: not a case status",
            Code::TransitionNotAllowed => "422: the case's status cannot change to the one asked",
            Code::ReasonRequired => "422: a dismissal needs a reason",
            Code::UnknownReason => "422: not a dismissal reason",
            Code::UnknownAssignee => "422: no account of that name to assign to",
            Code::AssigneeCannotWork => "422: the account is an analyst and cannot work cases",
            Code::BadAssigneeName => "422: not a name that can be an assignee",
            Code::NoSuchEndpoint => {
                "404: no such endpoint; the document at /api/v1/openapi.json lists them"
            }
            Code::InternalError => "500: the server failed (see its log)",
        }
    }
}

/// A refused request, answered as JSON.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: Code,
    message: String,
    extra: Map<String, Value>,
    retry_after: Option<u64>,
}

impl Refusal {
    /// Any status, code and (Chinese) message.
    pub fn new(status: StatusCode, code: Code, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
            extra: Map::new(),
            retry_after: None,
        }
    }

    /// With an extra field in the answer.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Refusal {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> Refusal {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            Code::Unauthenticated,
            "请先登录（POST /api/v1/login）",
        )
    }

    /// 403: the role does not allow it, or the CSRF / origin check failed.
    pub fn forbidden(code: Code, message: &str) -> Refusal {
        Refusal::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 429 with Retry-After.
    pub fn throttled(seconds: u64) -> Refusal {
        let mut refusal = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            Code::LoginThrottled,
            "该账号登录失败次数过多，请稍后再试",
        );
        refusal.retry_after = Some(seconds);
        refusal
    }

    /// 500 (details logged, not shown).
    pub fn internal() -> Refusal {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::InternalError,
            "服务器内部错误（详见服务器日志）",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), Value::String(self.message));
        body.insert("code".into(), Value::String(self.code.as_str().into()));
        body.extend(self.extra);
        let mut response = (self.status, axum::Json(Value::Object(body))).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds.to_string()).expect("digits are a header value"),
            );
        }
        response
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(error: anyhow::Error) -> Refusal {
        tracing::error!(error = %format!("{error:#}"), "request failed");
        Refusal::internal()
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(error: crate::store::StoreError) -> Refusal {
        Refusal::from(anyhow::Error::from(error))
    }
}

impl From<ParamError> for Refusal {
    fn from(error: ParamError) -> Refusal {
        let code = match error.code() {
            "unknown_parameter" => Code::UnknownParameter,
            _ => Code::InvalidParameter,
        };
        let mut refusal = Refusal::new(StatusCode::BAD_REQUEST, code, error.message_zh())
            .with("parameter", error.param())
            .with("accepted", error.accepted());
        if let Some(value) = error.value() {
            refusal = refusal.with("value", value);
        }
        refusal
    }
}

impl From<QueryError> for Refusal {
    fn from(error: QueryError) -> Refusal {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            Code::QuerySyntax,
            error.message_zh(),
        )
        .with("column", error.column)
    }
}

impl From<ReviewError> for Refusal {
    /// A refused case change: 404 for a missing case, 422 for what the
    /// workflow does not allow, said in Chinese.
    fn from(error: ReviewError) -> Refusal {
        use crate::review::{dismiss_reason_label_zh, status_label_zh};
        let statuses = || labelled(&STATUSES, |k| status_label_zh(k).to_string());
        let unprocessable = |code: Code, message: String| {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        };
        match error {
            ReviewError::NoCase(id) => Refusal::new(
                StatusCode::NOT_FOUND,
                Code::CaseNotFound,
                format!("没有编号为 {id} 的案件"),
            ),
            ReviewError::UnknownStatus(status) => unprocessable(
                Code::UnknownStatus,
                format!("没有状态“{status}”：可用 {}", statuses()),
            ),
            ReviewError::NotAllowed { id, from, to, allowed } => {
                let allowed: Vec<&str> = allowed.split(", ").filter(|s| !s.is_empty()).collect();
                unprocessable(
                    Code::TransitionNotAllowed,
                    format!(
                        "案件 #{id} 当前为“{}”，不能改为“{}”（可改为：{}）",
                        status_label_zh(&from),
                        status_label_zh(&to),
                        if allowed.is_empty() { "无".to_string() } else { labelled(&allowed, |k| status_label_zh(k).to_string()) }
                    ),
                )
            }
            ReviewError::ReasonNeeded => unprocessable(
                Code::ReasonRequired,
                format!("排除案件需要填写原因 reason：可用 {}", labelled(&DISMISS_REASONS, |k| dismiss_reason_label_zh(k).to_string())),
            ),
            ReviewError::UnknownReason(reason) => unprocessable(
                Code::UnknownReason,
                format!(
                    "没有排除原因“{reason}”：可用 {}",
                    labelled(&DISMISS_REASONS, |k| dismiss_reason_label_zh(k).to_string())
                ),
            ),
            ReviewError::UnknownAssignee { name, known } => unprocessable(
                Code::UnknownAssignee,
                format!(
                    "没有用户“{name}”，无法指派：可指派给 {known}；或先用 yuqing user add {name} --role reviewer 添加账号"
                ),
            )
            .with("known", known),
            ReviewError::AssigneeCannotWork(name) => unprocessable(
                Code::AssigneeCannotWork,
                format!(
                    "“{name}”是分析员，不能办理案件：请指派审核员，或用 yuqing user add {name} --role reviewer 赋予该角色"
                ),
            ),
            ReviewError::BadAssigneeName(name) => unprocessable(
                Code::BadAssigneeName,
                format!(
                    "“{name}”不能作为经办人：请写字母、数字或 . _ -（最多 {MAX_ASSIGNEE_CHARS} 个字符）"
                ),
            ),
            ReviewError::UnknownLevel(level) => Refusal::from(ParamError::Choice {
                param: "level",
                value: level,
                accepted: crate::review::LEVELS.to_vec(),
            }),
            ReviewError::UnknownCategory(category) => Refusal::from(ParamError::Choice {
                param: "category",
                value: category,
                accepted: crate::model::CATEGORIES.to_vec(),
            }),
            ReviewError::Store(error) => Refusal::from(error),
        }
    }
}

/// `key（标签）、…`.
fn labelled(keys: &[&str], label: impl Fn(&str) -> String) -> String {
    keys.iter()
        .map(|k| format!("{k}（{}）", label(k)))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case_and_described() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert!(code.description().starts_with(char::is_numeric), "{name}");
        }
    }

    #[test]
    fn a_bad_parameter_answers_with_what_was_sent_and_what_is_accepted() {
        let refusal = Refusal::from(ParamError::Date {
            param: "from",
            value: "2026-13-45".into(),
        });
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
        assert_eq!(refusal.code, Code::InvalidParameter);
        assert_eq!(refusal.extra["parameter"], "from");
        assert_eq!(refusal.extra["value"], "2026-13-45");
        assert_eq!(refusal.extra["accepted"], "YYYY-MM-DD");
        assert!(
            refusal.message.contains("不是有效日期"),
            "{}",
            refusal.message
        );
    }

    #[test]
    fn review_refusals_keep_their_statuses_and_read_in_chinese() {
        for (error, status, code) in [
            (
                ReviewError::NoCase(7),
                StatusCode::NOT_FOUND,
                Code::CaseNotFound,
            ),
            (
                ReviewError::UnknownStatus("done".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::UnknownStatus,
            ),
            (
                ReviewError::ReasonNeeded,
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::ReasonRequired,
            ),
            (
                ReviewError::NotAllowed {
                    id: 3,
                    from: "confirmed".into(),
                    to: "new".into(),
                    allowed: "escalated".into(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::TransitionNotAllowed,
            ),
        ] {
            let refusal = Refusal::from(error);
            assert_eq!((refusal.status(), refusal.code), (status, code));
            assert!(
                !refusal.message.is_ascii() && !refusal.message.contains("use one of"),
                "{}",
                refusal.message
            );
        }
    }
}
