//! The search query language, parsed by hand so errors can say where:
//! words, "phrases" (also “…”), AND / OR / NOT, `-word`, parentheses and
//! field filters (`kind:news`, `source:city-news`, `category:inaction`,
//! `flagged:true`, `unit:城关派出所`, `topic:NAME`, `title:…`, `body:…`). Juxtaposed terms
//! are ANDed. The parser only builds an [`Expr`]; `search` turns it into a
//! tantivy query with the segmenter.

mod error;

pub use error::{MAX_DEPTH, Problem, QueryError};
use std::fmt;

/// Field names a query may filter on.
pub const FIELDS: &[&str] = &[
    "kind", "source", "category", "flagged", "unit", "topic", "title", "body",
];

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Everything (the empty query).
    All,
    /// A bare word (may segment into several words: then a phrase).
    Word {
        /// The text.
        text: String,
        /// Restrict to `title` or `body`.
        field: Option<String>,
        /// 1-based column, for errors.
        column: usize,
    },
    /// A quoted phrase.
    Phrase {
        /// The text inside the quotes.
        text: String,
        /// Restrict to `title` or `body`.
        field: Option<String>,
        /// 1-based column, for errors.
        column: usize,
    },
    /// `field:value` on an exact field.
    Filter {
        /// Field name.
        field: String,
        /// Value.
        value: String,
        /// 1-based column, for errors.
        column: usize,
    },
    /// Negation.
    Not(Box<Expr>),
    /// All must match.
    And(Vec<Expr>),
    /// Any may match.
    Or(Vec<Expr>),
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix =
            |field: &Option<String>| field.as_ref().map(|f| format!("{f}:")).unwrap_or_default();
        match self {
            Expr::All => f.write_str("*"),
            Expr::Word { text, field, .. } => write!(f, "{}{text}", prefix(field)),
            Expr::Phrase { text, field, .. } => write!(f, "{}\"{text}\"", prefix(field)),
            Expr::Filter { field, value, .. } => write!(f, "{field}:{value}"),
            Expr::Not(inner) => write!(f, "NOT {inner}"),
            Expr::And(parts) | Expr::Or(parts) => {
                let op = if matches!(self, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                write!(f, "({})", parts.join(op))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lexeme {
    Open,
    Close,
    And,
    Or,
    Not,
    Minus,
    Text(String),
    Quoted(String),
    FieldPrefix(String),
}

#[derive(Debug, Clone)]
struct Token {
    lexeme: Lexeme,
    column: usize,
}

fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' | '（' => {
                tokens.push(Token {
                    lexeme: Lexeme::Open,
                    column,
                });
                i += 1;
            }
            ')' | '）' => {
                tokens.push(Token {
                    lexeme: Lexeme::Close,
                    column,
                });
                i += 1;
            }
            '"' | '“' | '”' => {
                let closing = |d: char| {
                    if c == '"' {
                        d == '"'
                    } else {
                        d == '”' || d == '“' || d == '"'
                    }
                };
                let end = (i + 1..chars.len())
                    .find(|&j| closing(chars[j]))
                    .ok_or_else(|| QueryError::new(column, Problem::UnclosedQuote))?;
                let text: String = chars[i + 1..end].iter().collect();
                tokens.push(Token {
                    lexeme: Lexeme::Quoted(text),
                    column,
                });
                i = end + 1;
            }
            '-' if tokens
                .last()
                .is_none_or(|t| !matches!(t.lexeme, Lexeme::FieldPrefix(_)))
                && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) =>
            {
                tokens.push(Token {
                    lexeme: Lexeme::Minus,
                    column,
                });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_boundary(chars[i]) {
                    if chars[i] == ':' && i > start {
                        break;
                    }
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                if i < chars.len() && chars[i] == ':' {
                    i += 1;
                    tokens.push(Token {
                        lexeme: Lexeme::FieldPrefix(text),
                        column,
                    });
                    continue;
                }
                let lexeme = match text.as_str() {
                    "AND" | "&&" => Lexeme::And,
                    "OR" | "||" => Lexeme::Or,
                    "NOT" => Lexeme::Not,
                    _ => Lexeme::Text(text),
                };
                tokens.push(Token { lexeme, column });
            }
        }
    }
    Ok(tokens)
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）' | '"' | '“' | '”')
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    end_column: usize,
    depth: usize,
}

/// Parses a query string.
pub fn parse(query: &str) -> Result<Expr, QueryError> {
    let tokens = lex(query)?;
    if tokens.is_empty() {
        return Ok(Expr::All);
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        end_column: query.chars().count() + 1,
        depth: 0,
    };
    let expr = parser.or()?;
    if let Some(token) = parser.peek() {
        let problem = match token.lexeme {
            Lexeme::Close => Problem::UnmatchedParenthesis,
            _ => Problem::UnexpectedText,
        };
        return Err(QueryError::new(token.column, problem));
    }
    Ok(expr)
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn column(&self) -> usize {
        self.peek().map_or(self.end_column, |t| t.column)
    }

    /// Parses one level deeper with `parse`, refusing past [`MAX_DEPTH`].
    fn nested(
        &mut self,
        column: usize,
        parse: impl FnOnce(&mut Parser) -> Result<Expr, QueryError>,
    ) -> Result<Expr, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::new(column, Problem::TooDeep));
        }
        self.depth += 1;
        let expr = parse(self);
        self.depth -= 1;
        expr
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek().is_some_and(|t| t.lexeme == Lexeme::Or) {
            self.next();
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek().map(|t| &t.lexeme) {
                None | Some(Lexeme::Or) | Some(Lexeme::Close) => break,
                Some(Lexeme::And) => {
                    self.next();
                }
                Some(_) => {}
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self
            .peek()
            .is_some_and(|t| matches!(t.lexeme, Lexeme::Not | Lexeme::Minus))
        {
            let column = self.column();
            self.next();
            let inner = self.nested(column, Parser::unary)?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let column = self.column();
        let Some(token) = self.next() else {
            return Err(QueryError::new(column, Problem::ExpectedTerm));
        };
        match token.lexeme {
            Lexeme::Open => {
                if self.peek().is_some_and(|t| t.lexeme == Lexeme::Close) {
                    return Err(QueryError::new(column, Problem::EmptyParentheses));
                }
                let inner = self.nested(column, Parser::or)?;
                match self.next() {
                    Some(Token {
                        lexeme: Lexeme::Close,
                        ..
                    }) => Ok(inner),
                    _ => Err(QueryError::new(column, Problem::UnclosedParenthesis)),
                }
            }
            Lexeme::Text(text) => Ok(Expr::Word {
                text,
                field: None,
                column,
            }),
            Lexeme::Quoted(text) => Ok(Expr::Phrase {
                text,
                field: None,
                column,
            }),
            Lexeme::FieldPrefix(field) => self.field(field, column),
            Lexeme::Close => Err(QueryError::new(column, Problem::UnmatchedParenthesis)),
            Lexeme::And | Lexeme::Or => Err(QueryError::new(column, Problem::DanglingOperator)),
            Lexeme::Not | Lexeme::Minus => unreachable!("handled in unary"),
        }
    }

    fn field(&mut self, field: String, column: usize) -> Result<Expr, QueryError> {
        let name = field.to_ascii_lowercase();
        if !FIELDS.contains(&name.as_str()) {
            return Err(QueryError::new(column, Problem::UnknownField(field)));
        }
        let value_column = self.column();
        let value = match self.next().map(|t| t.lexeme) {
            Some(Lexeme::Text(text)) => (text, false),
            Some(Lexeme::Quoted(text)) => (text, true),
            _ => {
                return Err(QueryError::new(value_column, Problem::MissingValue(field)));
            }
        };
        Ok(match (name.as_str(), value) {
            ("title" | "body", (text, true)) => Expr::Phrase {
                text,
                field: Some(name),
                column,
            },
            ("title" | "body", (text, false)) => Expr::Word {
                text,
                field: Some(name),
                column,
            },
            (_, (value, _)) => Expr::Filter {
                field: name,
                value,
                column,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(query: &str) -> String {
        parse(query)
            .map(|e| e.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        // A few kilobytes of NOT or parentheses once overflowed the stack.
        let nots = format!("{}a", "NOT ".repeat(10_000));
        let error = parse(&nots).unwrap_err();
        assert!(error.message.contains("32 deep"), "{error}");
        assert_eq!(error.column, 4 * MAX_DEPTH + 1, "{error}");
        let parens = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&parens).unwrap_err().message.contains("deep"));
        let minus = format!("{}a", "-".repeat(5_000));
        assert!(parse(&minus).is_err());
        // As deep as allowed still parses.
        let deepest = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(show(&deepest), "a");
        let negations = format!("{}a", "NOT ".repeat(MAX_DEPTH));
        assert!(parse(&negations).is_ok());
    }

    #[test]
    fn parses_the_documented_syntax() {
        let cases = [
            ("派出所 态度", "(派出所 AND 态度)"),
            ("出警 OR 接警", "(出警 OR 接警)"),
            ("民警 -表扬", "(民警 AND NOT 表扬)"),
            ("民警 NOT 表扬", "(民警 AND NOT 表扬)"),
            ("\"城关 派出所\"", "\"城关 派出所\""),
            ("“城关派出所”", "\"城关派出所\""),
            (
                "(出警 OR 接警) AND kind:petition",
                "((出警 OR 接警) AND kind:petition)",
            ),
            (
                "flagged:true category:inaction",
                "(flagged:true AND category:inaction)",
            ),
            ("title:\"户籍 窗口\"", "title:\"户籍 窗口\""),
            ("a OR b c", "(a OR (b AND c))"),
            ("110-指挥中心", "110-指挥中心"),
            ("", "*"),
        ];
        for (query, expected) in cases {
            assert_eq!(show(query), expected, "query: {query}");
        }
    }

    #[test]
    fn errors_say_where() {
        let cases = [
            (
                "民警 \"态度",
                "query error at column 4: unclosed quote: add the closing \"",
            ),
            (
                "(出警 OR 接警",
                "query error at column 1: `(` is never closed: add a `)`",
            ),
            (
                "出警)",
                "query error at column 3: unmatched `)`: remove it or add a `(` before",
            ),
            (
                "出警 OR",
                "query error at column 6: expected a word, a phrase or `(` here",
            ),
            (
                "OR 出警",
                "query error at column 1: AND / OR needs a term on both sides",
            ),
            (
                "colour:red",
                "query error at column 1: unknown field `colour`: use one of kind, source, category, flagged, unit, topic, title, body",
            ),
            (
                "民警 kind:",
                "query error at column 9: `kind:` needs a value, e.g. kind:…",
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(show(query), expected, "query: {query}");
        }
    }
}
