//! What can be wrong with a query, said in English (the command line, the
//! logs) and in Chinese (the web pages and the JSON API).

use super::FIELDS;
use crate::model::CATEGORIES;
use thiserror::Error;

/// Deepest nesting of parentheses and negations a query may have. The
/// parser (and everything that walks the parsed query) recurses once per
/// level: a crafted `NOT NOT NOT …` of a few kilobytes would otherwise
/// overflow the stack and take the whole server down with it.
pub const MAX_DEPTH: usize = 32;

/// A query that does not parse or cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("query error at column {column}: {message}")]
pub struct QueryError {
    /// 1-based character column of the problem.
    pub column: usize,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, as data (for other renderings).
    pub problem: Problem,
}

impl QueryError {
    pub(crate) fn new(column: usize, problem: Problem) -> QueryError {
        QueryError {
            column,
            message: problem.english(),
            problem,
        }
    }

    /// The error for an analyst reading Chinese: 查询语法错误（第 4 列）：….
    pub fn message_zh(&self) -> String {
        format!(
            "查询语法错误（第 {} 列）：{}",
            self.column,
            self.problem.chinese()
        )
    }
}

/// The kinds of query mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A `"` without its closing one.
    UnclosedQuote,
    /// A `(` without its `)`.
    UnclosedParenthesis,
    /// A `)` without its `(`.
    UnmatchedParenthesis,
    /// `()`.
    EmptyParentheses,
    /// The query ends (or a group closes) where a term was expected.
    ExpectedTerm,
    /// AND / OR with a side missing.
    DanglingOperator,
    /// Text after a complete query that is none of the above.
    UnexpectedText,
    /// Deeper than [`MAX_DEPTH`].
    TooDeep,
    /// `name:` where name is not a field.
    UnknownField(String),
    /// `field:` with nothing after it.
    MissingValue(String),
    /// A word of punctuation only.
    NoSearchableText(String),
    /// `kind:` with a value that is not a kind.
    UnknownKind(String),
    /// `category:` with a value that is not a category.
    UnknownCategory(String),
    /// `flagged:` with a value that is not true or false.
    BadFlagged(String),
    /// A field a topic's query cannot use.
    NotInTopic(String),
}

impl Problem {
    /// In English (as the command line has always said it).
    pub fn english(&self) -> String {
        match self {
            Problem::UnclosedQuote => "unclosed quote: add the closing \"".into(),
            Problem::UnclosedParenthesis => "`(` is never closed: add a `)`".into(),
            Problem::UnmatchedParenthesis => "unmatched `)`: remove it or add a `(` before".into(),
            Problem::EmptyParentheses => "empty parentheses".into(),
            Problem::ExpectedTerm => "expected a word, a phrase or `(` here".into(),
            Problem::DanglingOperator => "AND / OR needs a term on both sides".into(),
            Problem::UnexpectedText => "unexpected text".into(),
            Problem::TooDeep => format!(
                "the query nests parentheses and NOT / - more than {MAX_DEPTH} deep: simplify it"
            ),
            Problem::UnknownField(field) => {
                format!("unknown field `{field}`: use one of {}", FIELDS.join(", "))
            }
            Problem::MissingValue(field) => format!("`{field}:` needs a value, e.g. {field}:…"),
            Problem::NoSearchableText(text) => format!("`{text}` has no searchable characters"),
            Problem::UnknownKind(kind) => {
                format!("unknown item kind `{kind}`: expected post, news or petition")
            }
            Problem::UnknownCategory(value) => format!(
                "unknown category `{value}`: use one of {}",
                CATEGORIES.join(", ")
            ),
            Problem::BadFlagged(value) => {
                format!("flagged:{value}: use flagged:true or flagged:false")
            }
            Problem::NotInTopic(field) => format!("`{field}:` cannot be used in a topic's query"),
        }
    }

    /// In Simplified Chinese, for the web.
    pub fn chinese(&self) -> String {
        match self {
            Problem::UnclosedQuote => "引号没有闭合：请补上结尾的引号".into(),
            Problem::UnclosedParenthesis => "“(”没有闭合：请补上“)”".into(),
            Problem::UnmatchedParenthesis => "多余的“)”：请删除它，或在前面补上“(”".into(),
            Problem::EmptyParentheses => "括号内为空：请在括号内写检索词，或删除括号".into(),
            Problem::ExpectedTerm => "此处应有词语、“短语”或“(”".into(),
            Problem::DanglingOperator => "AND / OR 两侧都需要检索词".into(),
            Problem::UnexpectedText => "无法识别的内容".into(),
            Problem::TooDeep => {
                format!("括号与 NOT / - 嵌套超过 {MAX_DEPTH} 层：请简化查询")
            }
            Problem::UnknownField(field) => {
                format!("没有字段“{field}”：可用字段为 {}", FIELDS.join("、"))
            }
            Problem::MissingValue(field) => {
                format!("“{field}:”后面需要一个值，如 {field}:…")
            }
            Problem::NoSearchableText(text) => format!("“{text}”中没有可检索的文字"),
            Problem::UnknownKind(kind) => {
                format!("没有类型“{kind}”：可用 post（帖子）、news（新闻）、petition（信访）")
            }
            Problem::UnknownCategory(value) => format!(
                "没有类别“{value}”：可用 {}",
                CATEGORIES
                    .iter()
                    .map(|c| format!("{c}（{}）", crate::model::category_label_zh(c)))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            Problem::BadFlagged(value) => {
                format!("flagged:{value} 无效：请写 flagged:true 或 flagged:false")
            }
            Problem::NotInTopic(field) => format!("专题的查询中不能使用“{field}:”"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn errors_read_in_chinese_with_their_column_and_in_english_as_before() {
        for (query, column, english, chinese) in [
            ("民警 \"态度", 4, "unclosed quote", "引号没有闭合"),
            ("(出警 OR 接警", 1, "is never closed", "“(”没有闭合"),
            ("出警)", 3, "unmatched `)`", "多余的“)”"),
            (
                "OR 出警",
                1,
                "needs a term on both sides",
                "两侧都需要检索词",
            ),
            (
                "colour:red",
                1,
                "unknown field `colour`",
                "没有字段“colour”",
            ),
            (
                "民警 kind:",
                9,
                "`kind:` needs a value",
                "“kind:”后面需要一个值",
            ),
        ] {
            let error = parse(query).unwrap_err();
            assert_eq!(error.column, column, "{query}");
            assert!(error.to_string().contains(english), "{error}");
            let zh = error.message_zh();
            assert!(
                zh.starts_with(&format!("查询语法错误（第 {column} 列）："))
                    && zh.contains(chinese),
                "{query}: {zh}"
            );
            assert!(!zh.contains("column"), "{zh}");
        }
    }
}
