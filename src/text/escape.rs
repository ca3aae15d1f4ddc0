//! Escaping crawled text for HTML (digests, the web UI): markup characters
//! become entities, and the bidirectional-override controls that can make
//! text display reversed (U+202A–U+202E, U+2066–U+2069) are dropped, as
//! are other control characters but newline and tab.

/// `text` safe inside HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` safe as one e-mail header value: line breaks and other control
/// characters (header injection: `\r\nBcc: …`) become spaces.
pub fn header_value(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_direction_overrides_are_made_inert() {
        assert_eq!(
            escape_html("<img src=x onerror=\"alert(1)\">&'"),
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"
        );
        assert_eq!(escape_html("abc\u{202E}fed\u{2066}"), "abcfed");
        assert_eq!(escape_html("一\n二\u{0}"), "一\n二");
    }

    #[test]
    fn header_values_cannot_start_a_new_header() {
        assert_eq!(
            header_value("日报\r\nBcc: x@evil.example"),
            "日报 Bcc: x@evil.example"
        );
    }
}
