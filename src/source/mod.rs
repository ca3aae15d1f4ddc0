//! Sources: where items come from. Today the one HTTP client every crawler
//! kind will share (`fetch`: timeouts, body cap on decompressed bytes,
//! conditional GET, charsets, redirects, SSRF guard); the source kinds
//! (feed, html, json, petition, file) and the scheduler build on it.

pub mod charset;
pub mod fetch;
