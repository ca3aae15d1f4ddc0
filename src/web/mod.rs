//! The analysts' web layer (axum): the pages (`ui`), the JSON API under
//! `/api/v1/` (`api`), sessions, roles and CSRF (`auth`), the OpenAPI
//! document (`openapi`). Binds to 127.0.0.1 by default; put it behind a TLS
//! reverse proxy to serve it further (yuqing itself speaks plain HTTP).
//!
//! Every response carries a strict Content-Security-Policy, `nosniff`,
//! `no-referrer` and frame denial; API answers are `application/json` and
//! not cached.

pub mod api;
pub mod auth;
pub mod error;
pub mod openapi;
pub mod params;
pub mod ui;

use crate::app::App;
use crate::index::SearchIndex;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;

/// `[server]`: where the web UI and API listen.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to bind (`127.0.0.1:8080`: this machine only).
    #[serde(default = "default_addr")]
    pub addr: String,
}

fn default_addr() -> String {
    "127.0.0.1:8080".to_string()
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: default_addr(),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct WebState {
    /// Configuration and data directory.
    pub app: Arc<App>,
    /// The search index (a reader; the writer is the crawler's).
    pub index: SearchIndex,
    /// Cookies are `Secure` and `__Host-` (TLS, or a loopback address,
    /// which browsers treat as secure).
    pub secure: bool,
}

/// The router of the whole web layer.
pub fn router(state: WebState) -> Router {
    let api = Router::new()
        .route("/api/v1/login", post(api::login))
        .route("/api/v1/logout", post(api::logout))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/items/{id}", get(api::item))
        .route("/api/v1/cases", get(api::cases))
        .route("/api/v1/cases/{id}", post(api::change_case))
        .route("/api/v1/trends", get(api::trends))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/", get(ui::search_page))
        .route("/login", get(ui::login_page))
        .route("/items/{id}", get(ui::item_page))
        .route("/review", get(ui::review_page))
        .route("/trends", get(ui::trends_page))
        .route("/sources", get(ui::sources_page))
        .route("/export.csv", get(ui::export))
        .route("/static/app.css", get(ui::css))
        .route("/static/app.js", get(ui::js))
        .fallback(not_found);
    api.with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// Any other path: a JSON refusal under `/api/`, a page elsewhere (both 404).
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        return auth::Refusal::new(
            axum::http::StatusCode::NOT_FOUND,
            error::Code::NoSuchEndpoint,
            "没有这个接口（接口列表见 /api/v1/openapi.json）",
        )
        .into_response();
    }
    ui::not_found_page()
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Builds the shared state of `app`.
pub fn state(app: App, addr: &SocketAddr) -> anyhow::Result<WebState> {
    // Crawls, imports and purges commit from other processes (or, under
    // `yuqing run`, from the scheduler's own writer): follow them.
    let index = app.open_index()?.follow_commits()?;
    Ok(WebState {
        app: Arc::new(app),
        index,
        secure: addr.ip().is_loopback(),
    })
}

/// Serves on `listener` until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
