//! Finding keys and lines in the raw TOML text, so configuration errors can
//! say where the mistake is. Works on the text alone: a tiny scan of table
//! headers and `key =` lines, enough for error messages.
//!
//! Tables are named as key paths name them: the second `[[sources]]` is
//! `sources[1]`, and a `[sources.fields]` below it is `sources[1].fields`.
//! A key that is not written (a required key left out, a default that
//! does not fit) is placed at the header of the table that should hold it.

use std::collections::HashMap;
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

    /// 1-based line where the key is written; when it is not written, the
    /// line of the innermost table that should hold it (`[[sources]]` for a
    /// source's missing `url`); `None` when not even that table is written.
    pub fn find_line(&self, text: &str) -> Option<usize> {
        let target = self.to_string();
        // The closest enclosing table or inline-table key seen so far:
        // (length of its path, its line).
        let mut enclosing: Option<(usize, usize)> = None;
        let mut consider = |path: &str, line: usize| {
            if is_inside(&target, path) && enclosing.is_none_or(|(len, _)| path.len() > len) {
                enclosing = Some((path.len(), line));
            }
        };
        for entry in Entries::new(text) {
            match entry {
                Entry::Header { path, line } | Entry::Key { path, line } if path == target => {
                    return Some(line);
                }
                Entry::Header { path, line } | Entry::Key { path, line } => consider(&path, line),
            }
        }
        enclosing.map(|(_, line)| line)
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

/// True when the key path `target` lies inside the table or key `path`.
fn is_inside(target: &str, path: &str) -> bool {
    target
        .strip_prefix(path)
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// A header or a `key = value` line, named by its full key path.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    /// `[table]` or `[[array]]` (path `array[n]`).
    Header { path: String, line: usize },
    /// `key = value` (path `table.key`).
    Key { path: String, line: usize },
}

/// The headers and keys of a TOML text in order, with their 1-based lines.
struct Entries<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    /// The current table's path (`""` before the first header).
    table: String,
    /// Elements seen so far of each array of tables, by its path.
    array_lengths: HashMap<String, usize>,
}

impl<'a> Entries<'a> {
    fn new(text: &'a str) -> Entries<'a> {
        Entries {
            lines: text.lines().enumerate(),
            table: String::new(),
            array_lengths: HashMap::new(),
        }
    }

    /// The path of a header's dotted name: each part that names an array
    /// of tables gets the index of its last element, and a `[[…]]` header
    /// adds a new element.
    fn resolve(&mut self, header: &Header) -> String {
        let mut path = String::new();
        let parts: Vec<&str> = header.name.split('.').collect();
        for (n, part) in parts.iter().enumerate() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
            let last = n + 1 == parts.len();
            if last && header.array {
                let length = self.array_lengths.entry(path.clone()).or_insert(0);
                *length += 1;
                path = format!("{path}[{}]", *length - 1);
            } else if let Some(length) = self.array_lengths.get(&path) {
                path = format!("{path}[{}]", length.saturating_sub(1));
            }
        }
        path
    }
}

impl Iterator for Entries<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            let (number, line) = self.lines.next()?;
            if let Some(header) = Header::parse(line) {
                self.table = self.resolve(&header);
                return Some(Entry::Header {
                    path: self.table.clone(),
                    line: number + 1,
                });
            }
            if let Some(key) = line_key(line) {
                return Some(Entry::Key {
                    path: join(&self.table, &key),
                    line: number + 1,
                });
            }
        }
    }
}

fn join(table: &str, key: &str) -> String {
    if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    }
}

/// One part of a dotted name, without spaces and quotes.
fn clean_part(part: &str) -> &str {
    part.trim().trim_matches('"').trim_matches('\'')
}

#[derive(Debug)]
struct Header {
    name: String,
    array: bool,
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
        let name: Vec<&str> = inner.split('.').map(clean_part).collect();
        Some(Header {
            name: name.join("."),
            array,
        })
    }
}

/// The key written on a `key = value` line (dotted keys joined with `.`).
fn line_key(line: &str) -> Option<String> {
    let line = line.trim_start();
    if line.starts_with('#') || line.starts_with('[') {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    let parts: Vec<&str> = key.split('.').map(clean_part).collect();
    if parts.iter().any(|part| part.is_empty()) {
        return None;
    }
    Some(parts.join("."))
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

/// The dotted key at an error span, as serde names it: the table header
/// above it plus the key written on its line (`sources.kind`: an array's
/// element is told by the line, not an index), or, on a header line, the
/// table itself.
pub fn key_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = line_text(text, start);
    if let Some(header) = Header::parse(line) {
        return Some(header.name);
    }
    let key = line_key(line)?;
    let table = text[..line_start]
        .lines()
        .rev()
        .find_map(Header::parse)
        .map(|header| header.name);
    Some(match table {
        Some(table) => join(&table, &key),
        None => key,
    })
}

/// The key of a parse error: the key at the span, or, for a required key
/// left out (`missing field `url``, reported at the table's header), the
/// table joined with that key (`sources.url`).
pub fn error_key(text: &str, span: std::ops::Range<usize>, message: &str) -> Option<String> {
    let at_header = Header::parse(line_text(text, span.start)).is_some();
    let found = key_at(text, span)?;
    if !at_header {
        return Some(found);
    }
    let missing = message.strip_prefix("missing field `")?.split('`').next()?;
    Some(join(&found, missing))
}

/// The whole line holding byte `offset`.
fn line_text(text: &str, offset: usize) -> &str {
    let start = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    &text[line_start..line_end]
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
    fn a_key_not_written_is_placed_at_its_table() {
        let text =
            "[trends]\nmin_z = 3.0\n\n[[sources]]\nname = \"a\"\n\n[[sources]]\nname = \"b\"\n";
        assert_eq!(KeyPath::new("trends", "min_ratio").find_line(text), Some(1));
        assert_eq!(
            KeyPath::indexed("sources", 1, "url").find_line(text),
            Some(7)
        );
        assert_eq!(
            KeyPath::new("review", "sla_low_hours").find_line(text),
            None
        );
    }

    #[test]
    fn finds_keys_of_sub_tables_of_an_array_element() {
        let sub_table = "[[sources]]\nname = \"a\"\n[[sources]]\nname = \"b\"\n\
                         [sources.fields]\nid = \"/id\"\nbody = \"x\"\n";
        let body = KeyPath::indexed("sources", 1, "fields.body");
        assert_eq!(body.find_line(sub_table), Some(7));
        let title = KeyPath::indexed("sources", 1, "fields.title");
        assert_eq!(
            title.find_line(sub_table),
            Some(5),
            "the [sources.fields] header"
        );
        assert_eq!(
            KeyPath::indexed("sources", 0, "fields.body").find_line(sub_table),
            Some(1),
            "the first source has no fields: its header"
        );
        let inline = "[[sources]]\nname = \"a\"\nfields = { id = \"x\" }\n";
        let id = KeyPath::indexed("sources", 0, "fields.id");
        assert_eq!(id.find_line(inline), Some(3));
        let dotted = "[[sources]]\nname = \"a\"\nfields . \"body\" = \"x\"\n";
        assert_eq!(body_of_first(dotted), Some(3));
        let groups = "[digest]\nrecipients = []\n[[digest.groups]]\nname = \"a\"\n\
                      [[digest.groups]]\nname = \"b\"\nrecipients = [\"x\"]\n";
        let recipients = KeyPath::indexed("digest.groups", 1, "recipients");
        assert_eq!(recipients.find_line(groups), Some(7));
        assert_eq!(
            KeyPath::new("digest", "recipients").find_line(groups),
            Some(2)
        );
    }

    fn body_of_first(text: &str) -> Option<usize> {
        KeyPath::indexed("sources", 0, "fields.body").find_line(text)
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
        let text = "[[sources]]\nname = \"a\"\n[[sources]]\nkind = \"htm\"\n";
        let at = text.find("\"htm\"").unwrap();
        assert_eq!(key_at(text, at..at + 5).as_deref(), Some("sources.kind"));
    }

    #[test]
    fn a_missing_field_is_named_in_its_table() {
        let text = "[[sources]]\nname = \"a\"\n[[sources]]\nkind = \"feed\"\n";
        let at = text.rfind("[[sources]]").unwrap();
        assert_eq!(
            error_key(text, at..at + 11, "missing field `name`").as_deref(),
            Some("sources.name")
        );
        assert_eq!(error_key(text, at..at + 11, "something else"), None);
    }
}
