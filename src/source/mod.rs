//! Sources: where items come from. The one HTTP client every kind shares
//! (`fetch`: timeouts, body cap on decompressed bytes, conditional GET,
//! charsets in `charset`, redirects, SSRF guard), the source kinds (today
//! `feed`; html, json, petition and file follow) and crawling one source
//! (`crawl`). The scheduler builds on these.

pub mod charset;
pub mod crawl;
pub mod feed;
pub mod fetch;
pub mod file;
pub mod html;
pub mod json;
pub mod politeness;
