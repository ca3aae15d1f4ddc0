//! Folding: traditional → simplified, full-width → half-width, ASCII
//! lowercased — one character for one character, so a character offset in
//! the folded text is the same offset in the original. The detector reads
//! folded text, and the index and queries are folded alike, so that 警察
//! written in traditional characters or ＡＢＣ in full width is found by a
//! query typed the ordinary way.

/// Folds one character (Chinese sentence punctuation stays full-width, so
/// that sentences and clauses are still recognised).
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            match ascii {
                '!' => '！',
                '?' => '？',
                ',' => '，',
                ';' => '；',
                ':' => '：',
                other => other.to_ascii_lowercase(),
            }
        }
        '\u{3000}' => ' ',
        'A'..='Z' => c.to_ascii_lowercase(),
        _ => c,
    }
}

/// Folds `text` (same number of characters).
pub fn fold(text: &str) -> String {
    let mut folded = fast2s::convert(text);
    if folded.contains(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}')) {
        folded = folded.chars().map(fold_char).collect();
    } else {
        // Without full-width forms, folding is ASCII lowercasing, in place
        // (most texts: it spares a second copy of each).
        folded.make_ascii_lowercase();
    }
    debug_assert_eq!(folded.chars().count(), text.chars().count());
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_script_width_and_case_one_char_for_one() {
        let text = "警察說ＡＢＣ１２３，Hello！";
        let folded = fold(text);
        assert_eq!(folded, "警察说abc123，hello！");
        assert_eq!(folded.chars().count(), text.chars().count());
    }
}
