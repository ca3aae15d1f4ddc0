//! Sources: where items come from. The one HTTP client every kind shares
//! (`fetch`: timeouts, body cap on decompressed bytes, conditional GET,
//! charsets in `charset`, redirects, SSRF guard), the source kinds (`feed`,
//! `html`, `json`, `petition`, `file`), politeness per host (`politeness`),
//! crawling one source (`crawl`) and each source's health (`health`). The
//! scheduler builds on these.

pub mod charset;
pub mod crawl;
pub mod feed;
pub mod fetch;
pub mod file;
pub mod health;
pub mod html;
pub mod json;
pub mod politeness;
