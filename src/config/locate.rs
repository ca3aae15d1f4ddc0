//! Finding keys and lines in the raw TOML text, so configuration errors can
//! say where the mistake is. Works on the text alone: a tiny scan of table
//! headers and `key =` lines, enough for error messages.

use std::fmt;

/// A dotted key path: `table.key`, or `table[index].key` for arrays of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    table: String,
    index: Option<usize>,
    key: String,
}

impl KeyPath {
    /// `table.key`.
    pub fn new(table: &str, key: &str) -> KeyPath {
        KeyPath {
            table: table.to_string(),
            index: None,
            key: key.to_string(),
        }
    }

    /// `table[index].key`, for `[[table]]` arrays.
    pub fn indexed(table: &str, index: usize, key: &str) -> KeyPath {
        KeyPath {
            table: table.to_string(),
            index: Some(index),
            key: key.to_string(),
        }
    }

    /// 1-based line where the key is written, if it is.
    pub fn find_line(&self, text: &str) -> Option<usize> {
        let mut current = Header::default();
        let mut array_counts: Vec<(String, usize)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            if let Some(header) = Header::parse(line) {
                let index = if header.array {
                    let slot = match array_counts.iter_mut().find(|(n, _)| *n == header.name) {
                        Some((_, count)) => {
                            *count += 1;
                            *count
                        }
                        None => {
                            array_counts.push((header.name.clone(), 0));
                            0
                        }
                    };
                    Some(slot)
                } else {
                    None
                };
                current = Header { index, ..header };
                continue;
            }
            if current.name == self.table
                && current.index == self.index
                && line_key(line).is_some_and(|key| key == self.key)
            {
                return Some(number + 1);
            }
        }
        None
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "{}[{}].{}", self.table, index, self.key),
            None if self.table.is_empty() => f.write_str(&self.key),
            None => write!(f, "{}.{}", self.table, self.key),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Header {
    name: String,
    array: bool,
    index: Option<usize>,
}

impl Header {
    fn parse(line: &str) -> Option<Header> {
        let line = line.trim();
        let (inner, array) = if let Some(rest) = line.strip_prefix("[[") {
            (rest.split("]]").next()?, true)
        } else if let Some(rest) = line.strip_prefix('[') {
            (rest.split(']').next()?, false)
        } else {
            return None;
        };
        Some(Header {
            name: inner.trim().to_string(),
            array,
            index: None,
        })
    }
}

/// The key written on a `key = value` line.
fn line_key(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.starts_with('#') || line.starts_with('[') {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    Some(key.trim().trim_matches('"'))
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The dotted key at an error span: the table header above it plus the key
/// written on its line (or the key the span covers).
pub fn key_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if Header::parse(line).is_some() {
        return None;
    }
    let key = line_key(line)?.to_string();
    let table = text[..line_start]
        .lines()
        .rev()
        .find_map(Header::parse)
        .map(|header| header.name);
    Some(match table {
        Some(table) => format!("{table}.{key}"),
        None => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_in_nth_array_table() {
        let text = "[[sources]]\nname = \"a\"\n\n[[sources]]\nname = \"b\"\n";
        assert_eq!(
            KeyPath::indexed("sources", 1, "name").find_line(text),
            Some(5)
        );
        assert_eq!(
            KeyPath::indexed("sources", 0, "name").find_line(text),
            Some(2)
        );
        assert_eq!(KeyPath::indexed("sources", 2, "name").find_line(text), None);
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "a = 1\n# 中文注释\nb = 2";
        assert_eq!(line_column(text, text.find('b').unwrap()), (3, 1));
        assert_eq!(line_column(text, text.find('注').unwrap()), (2, 5));
    }

    #[test]
    fn key_at_joins_table_and_key() {
        let text = "[crawl]\ntimeout_secs = \"x\"\n";
        let at = text.find("\"x\"").unwrap();
        assert_eq!(
            key_at(text, at..at + 3).as_deref(),
            Some("crawl.timeout_secs")
        );
    }
}
