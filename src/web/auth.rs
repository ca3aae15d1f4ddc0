//! Sessions, roles and CSRF for the web layer.
//!
//! * Login (`POST /api/v1/login`, JSON) checks the argon2 hash — against a
//!   decoy hash when the user does not exist, so both cost the same and
//!   answer the same — and is throttled per account (at most
//!   [`MAX_FAILURES`] failures in [`FAILURE_WINDOW_MINUTES`], then 429
//!   with `Retry-After` until the oldest of them leaves the window).
//! * A successful login starts a new session (rotation: the old cookie's
//!   session ends). The cookie is `HttpOnly`, `SameSite=Strict`, `Path=/`;
//!   served over TLS or on loopback it is `__Host-`-prefixed and `Secure`.
//!   Only a hash of its token is stored.
//! * Every state-changing request carries the session's CSRF token in the
//!   `X-CSRF-Token` header; a request whose `Origin` is another site is
//!   refused outright.
//! * Each endpoint names the least role it needs: analyst < reviewer < admin.

use super::WebState;
use super::error::Code;
pub use super::error::Refusal;
use crate::store::{Role, Session, Store};
use axum::http::{HeaderMap, HeaderValue, header};

/// Failed logins per account within [`FAILURE_WINDOW_MINUTES`] before login
/// is refused: enough for a user who mistypes, too few for guessing (NIST
/// SP 800-63B asks for at most 100 in all; this allows about 1,000 a day).
pub const MAX_FAILURES: u32 = 10;
/// Minutes a failed login counts against its account.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Hours a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// The session cookie's name for this server.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-yuqing" } else { "yuqing" }
}

/// The session token in the request's cookies.
pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The `Set-Cookie` value starting (`Some(token)`) or ending a session.
pub fn set_cookie(token: Option<&str>, secure: bool) -> HeaderValue {
    let name = cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    let value = match token {
        Some(token) => format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure_attr}",
            SESSION_HOURS * 3600
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_attr}"),
    };
    HeaderValue::from_str(&value).expect("cookie values are ASCII")
}

/// Opens the store (a short blocking operation).
pub fn store(state: &WebState) -> Result<Store, Refusal> {
    Store::open(&state.app.data.db_path()).map_err(Refusal::from)
}

/// The caller's session, if it has the `least` role; for state-changing
/// requests (`changes`) also the CSRF token and a same-site `Origin`.
pub fn require(
    state: &WebState,
    headers: &HeaderMap,
    least: Role,
    changes: bool,
) -> Result<Session, Refusal> {
    if changes {
        same_origin(headers)?;
    }
    let token = session_token(headers, state.secure).ok_or_else(Refusal::unauthenticated)?;
    let session = store(state)?
        .session(&token, chrono::Utc::now())?
        .ok_or_else(Refusal::unauthenticated)?;
    if changes {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
            return Err(Refusal::forbidden(
                Code::CsrfFailed,
                "缺少或错误的 X-CSRF-Token（登录时返回的 csrf 值）",
            ));
        }
    }
    if session.user.role < least {
        return Err(Refusal::forbidden(
            Code::RoleTooLow,
            "您的角色无权执行此操作",
        ));
    }
    Ok(session)
}

/// Refuses a request whose `Origin` (when sent) is not this host.
pub fn same_origin(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host == host {
        Ok(())
    } else {
        Err(Refusal::forbidden(Code::CrossSite, "拒绝跨站请求"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
