//! Decoding fetched bytes to text, for Chinese sites: BOM → HTTP
//! `Content-Type` charset → `<meta charset>` / XML declaration → detection
//! (UTF-8, then GB18030, then Big5). GBK and GB2312 labels decode as
//! GB18030. A declared charset is used only when the bytes decode cleanly
//! under it (a server's default `utf-8` header on a GBK page is common).

use encoding_rs::{BIG5, DecoderResult, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

/// How much of the body is searched for `<meta charset>` or an XML `encoding=`.
pub const CHARSET_SNIFF_BYTES: usize = 2048;

/// Whether a body is text worth decoding: text/*, anything HTML, XML or JSON, or — without a
/// content type — a body with no NUL byte in its first kilobyte.
pub(crate) fn is_textual(content_type: Option<&str>, body: &[u8]) -> bool {
    let Some(content_type) = content_type else {
        return !body[..body.len().min(1024)].contains(&0);
    };
    let essence = content_type.to_ascii_lowercase();
    let essence = essence.split(';').next().unwrap_or_default().trim();
    let kinds = ["html", "xml", "json"];
    essence.starts_with("text/") || kinds.iter().any(|kind| essence.contains(kind))
}

/// Decodes a body to text and names the encoding used, in this order:
/// 1. a byte-order mark (UTF-8, UTF-16LE/BE) — always wins;
/// 2. bytes that are valid UTF-8 (but for a last character cut by the body cap) and not all
///    ASCII are UTF-8, whatever is declared: text in GBK, GB18030 or Big5 practically never
///    forms valid UTF-8, while pages re-saved or re-served as UTF-8 often keep their old
///    `<meta charset=gb2312>` — and GB18030 decodes UTF-8 bytes "cleanly" into mojibake;
/// 3. the `charset` of `content_type` (the HTTP header), then `<meta charset=…>` /
///    `<meta http-equiv … content="…charset=…">` / `<?xml … encoding=…?>` in the first
///    [`CHARSET_SNIFF_BYTES`]: the header wins over the document when both decode the bytes
///    cleanly, but a declaration is trusted only if the bytes decode under it with at most a
///    stray error (1 + 1 % of the non-ASCII bytes — a body cut mid-character at the cap, a
///    stray byte); a wrong declaration (a server default of `utf-8` on a GBK page, common on
///    Chinese sites) falls through to the next one;
/// 4. detection: UTF-8, then GB18030, then Big5, the first that decodes cleanly in that sense
///    (Big5 text usually also decodes as GB18030, so undeclared Big5 comes out as GB18030);
/// 5. otherwise the first declaration, else UTF-8, with replacement characters.
///
/// `GBK` and `GB2312` labels decode as GB18030 (a superset) and are reported as `"GB18030"`;
/// other encodings by their WHATWG name (`"UTF-8"`, `"Big5"`, `"UTF-16LE"`, `"windows-1252"`).
pub fn decode_body(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return (text.into_owned(), encoding_name(encoding));
    }
    if is_utf8_text(bytes) {
        return (String::from_utf8_lossy(bytes).into_owned(), "UTF-8");
    }
    let head = &bytes[..bytes.len().min(CHARSET_SNIFF_BYTES)];
    let header = content_type.and_then(charset_from_content_type);
    let declared = [header, charset_from_document(head)];
    let detected = [Some(UTF_8), Some(GB18030), Some(BIG5)];
    for encoding in declared.into_iter().chain(detected).flatten() {
        if let Some(text) = decode_if_clean(encoding, bytes) {
            return (text, encoding_name(encoding));
        }
    }
    let fallback = declared.into_iter().flatten().next().unwrap_or(UTF_8);
    let (text, _) = fallback.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding_name(fallback))
}

/// Valid UTF-8 (a truncated last character allowed) with at least one non-ASCII byte.
fn is_utf8_text(bytes: &[u8]) -> bool {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none(),
    };
    valid && !bytes.is_ascii()
}

/// The WHATWG name of an encoding (`"UTF-8"`, `"Big5"`, `"windows-1252"`), except GB18030,
/// spelled `"GB18030"` rather than `"gb18030"`.
fn encoding_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// Decodes `bytes` if it produces at most 1 + 1 % of the non-ASCII byte count errors.
fn decode_if_clean(encoding: &'static Encoding, bytes: &[u8]) -> Option<String> {
    let tolerance = 1 + bytes.iter().filter(|byte| !byte.is_ascii()).count() / 100;
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length(bytes.len());
    let mut text = String::with_capacity(capacity.unwrap_or(bytes.len()));
    let (mut input, mut errors) = (bytes, 0);
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut text, true);
        input = &input[read..];
        match result {
            DecoderResult::InputEmpty => return Some(text),
            DecoderResult::OutputFull => text.reserve(input.len().max(16) * 3),
            DecoderResult::Malformed(..) => {
                errors += 1;
                if errors > tolerance {
                    return None;
                }
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
}

/// The encoding named by a label, GBK/GB2312 as GB18030; `None` for unknown labels and for
/// the `replacement` encoding (labels of unsafe legacy encodings).
fn encoding_for_label(label: &[u8]) -> Option<&'static Encoding> {
    match Encoding::for_label(label)? {
        encoding if encoding == GBK => Some(GB18030),
        encoding if encoding == encoding_rs::REPLACEMENT => None,
        encoding => Some(encoding),
    }
}

fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        let is_charset = key.trim().eq_ignore_ascii_case("charset");
        is_charset.then(|| encoding_for_label(value.as_bytes()))?
    })
}

/// The charset declared inside the document head: an XML declaration's `encoding`, or the
/// first `<meta>` carrying `charset=`. A UTF-16 declaration in a document means UTF-8 (HTML
/// rule: the bytes being readable as ASCII prove it is not UTF-16).
fn charset_from_document(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let trimmed = lower.trim_ascii_start();
    let declared = if let Some(declaration) = trimmed.strip_prefix(b"<?xml") {
        let end = find(declaration, b"?>").unwrap_or(declaration.len());
        attribute_value(&declaration[..end], b"encoding")
    } else {
        let mut from = 0;
        let mut found = None;
        while let Some(position) = find(&lower[from..], b"<meta") {
            let tag_start = from + position + b"<meta".len();
            let tag_length = find(&lower[tag_start..], b">");
            let tag_end = tag_length.map_or(lower.len(), |length| tag_start + length);
            found = attribute_value(&lower[tag_start..tag_end], b"charset");
            if found.is_some() {
                break;
            }
            from = tag_end;
        }
        found
    };
    match encoding_for_label(declared?)? {
        encoding if encoding == UTF_16LE || encoding == UTF_16BE => Some(UTF_8),
        encoding => Some(encoding),
    }
}

/// The value after `key` `=` in `haystack`, without quotes: `charset = "gbk"` → `gbk`.
fn attribute_value<'a>(haystack: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(position) = find(&haystack[from..], key) {
        let rest = haystack[from + position + key.len()..].trim_ascii_start();
        if let Some(value) = rest.strip_prefix(b"=") {
            let value = value.trim_ascii_start();
            let value = value
                .strip_prefix(b"\"")
                .or(value.strip_prefix(b"'"))
                .unwrap_or(value);
            let is_end = |byte: &u8| b"\"';>/".contains(byte) || byte.is_ascii_whitespace();
            let end = value.iter().position(is_end).unwrap_or(value.len());
            return (end > 0).then(|| &value[..end]);
        }
        from += position + key.len();
    }
    None
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWS: &str = "市公安局通报：网传视频中的执法过程已调查属实，涉事民警已停职。";

    #[test]
    fn utf8_bytes_under_a_stale_gbk_declaration_are_utf8() {
        // A page re-saved as UTF-8 that still declares gb2312 (in the
        // document and in the header): GB18030 would "decode" it into mojibake.
        let page = format!(
            r#"<html><head><meta charset="gb2312"></head><body><p>{NEWS}</p></body></html>"#
        );
        let (text, encoding) = decode_body(page.as_bytes(), Some("text/html; charset=gbk"));
        assert_eq!(encoding, "UTF-8");
        assert!(text.contains(NEWS));
        // Cut in the middle of the last character by the body cap: still UTF-8.
        let cut = &page.as_bytes()[..page.len() - "。</p></body></html>".len() - 1];
        assert_eq!(decode_body(cut, Some("text/html; charset=gbk")).1, "UTF-8");
    }

    #[test]
    fn real_gbk_and_ascii_keep_their_declaration() {
        let page =
            format!(r#"<html><head><meta charset="gbk"></head><body><p>{NEWS}</p></body></html>"#);
        let (bytes, _, _) = GBK.encode(&page);
        let (text, encoding) = decode_body(&bytes, None);
        assert_eq!(encoding, "GB18030");
        assert!(text.contains(NEWS));
        let ascii = b"<html><head><meta charset=\"big5\"></head><body>ok</body></html>";
        assert_eq!(decode_body(ascii, None).1, "Big5");
    }
}
