//! PII redaction applied to every crawled text before anything is stored or
//! indexed: mainland resident ID numbers, mobile numbers and bank card numbers
//! are replaced by fixed placeholders so that neither the database nor the
//! search index ever holds them.
//!
//! The scanner is hand-written, works on the UTF-8 bytes of the input, never
//! allocates per character and runs in linear time. Texts that cannot contain
//! a match (no run of at least 11 digits, counting digit groups joined by
//! single separators) are returned unchanged after a single cheap byte pass.
//!
//! # Rules
//!
//! Full-width digits `０`–`９`, full-width `Ｘ`/`ｘ`, full-width separators
//! (`　`, `－`), `＋` and full-width parentheses are treated like their ASCII
//! forms, so NFKC normalisation beforehand is not required. Only the matched
//! span is replaced; all surrounding characters are kept byte for byte.
//!
//! A digit run that touches another digit or a Latin letter (ASCII or
//! full-width) on either side is never matched, so numbers inside longer
//! numbers or alphanumeric codes (`AB1381234567812`) stay. Separators are a
//! single space, `-`, full-width space or `－` between digit groups.
//!
//! * **Resident ID** → [`ID_PLACEHOLDER`]
//!   * 18 characters: 17 digits plus a check character (digit or `X`/`x`)
//!     with a valid ISO 7064 MOD 11-2 checksum and a plausible birth date
//!     (year 1900–2099, month 01–12, day 01–31). Written contiguously or, as
//!     is common on forms, grouped 6-8-4 (`110105 19491231 002X`) or in
//!     fours, 4-4-4-4-2 (`1101 0519 4912 3100 2X`).
//!   * 15 digits (old format, no checksum) with a plausible `YYMMDD` date in
//!     positions 7–12.
//! * **Mobile number** → [`PHONE_PLACEHOLDER`]: 11 digits, first `1`, second
//!   `3`–`9`, contiguous or grouped 3-4-4 with one repeated separator.
//!   Optional country prefix `+86`, `86`, `0086`, `(+86)`, `（+86）` (also
//!   `(86)`), followed by an optional single separator, or directly
//!   attached (`+8613812345678`). The prefix is consumed into the placeholder.
//! * **Bank card** → [`BANK_CARD_PLACEHOLDER`]: 16–19 digits, contiguous or
//!   in groups of four (the last group of a 17–19 digit number holding the
//!   remaining 1–3 digits) with one repeated separator, passing the Luhn
//!   check, and whose first digit is a plausible issuer digit: `3` (JCB /
//!   American Express), `4` (Visa), `5` (Mastercard), `6` (UnionPay `62…`,
//!   Discover) or `9` (older domestic cards such as `95…`). Cards starting
//!   with `0`–`2`, `7` or `8` are not redacted.
//!
//! When an 18-digit number passes both the ID and the card checks it is an
//! ID. An 18-character number whose ID checksum fails is no ID but may still
//! be a card.
//!
//! **Labelled numbers.** Within a few characters after a label that says
//! what follows — 身份证, 证件号, 身份号 for an ID; 银行卡, 卡号, 账号,
//! 帐号 for a card — a contiguous number of the right length (15 or 18
//! characters; 16–19 digits) is redacted even when its checksum or date
//! fails: people mistype their numbers, and a mistyped ID is still theirs.
//!
//! A grouped form (3-4-4, 4-4-4-4…, 6-8-4) must cover the whole chain of
//! separator-joined digit groups: `1234 5678 9012 3456 7890` is not a card
//! followed by a stray group, and a group preceded by `digit + separator` only
//! matches in its contiguous form.
//!
//! Deliberately **not** redacted: landlines (`0571-88888888`,
//! `010-12345678`; these are mostly published numbers of police stations,
//! hotlines and offices, which are the subject of the monitoring), dates,
//! times, amounts, case numbers, order and tracking numbers that fail the
//! checks, and digit runs of any other length.

/// What one redaction pass replaced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RedactionCounts {
    /// Mainland resident ID numbers replaced by `[身份证]`.
    pub id_numbers: usize,
    /// Mobile numbers replaced by `[手机号]`.
    pub phone_numbers: usize,
    /// Bank card numbers replaced by `[银行卡]`.
    pub bank_cards: usize,
}

impl std::ops::AddAssign for RedactionCounts {
    fn add_assign(&mut self, other: RedactionCounts) {
        self.id_numbers += other.id_numbers;
        self.phone_numbers += other.phone_numbers;
        self.bank_cards += other.bank_cards;
    }
}

impl RedactionCounts {
    /// Total number of replaced spans.
    pub fn total(&self) -> usize {
        self.id_numbers + self.phone_numbers + self.bank_cards
    }
}

/// Replacement for a resident ID number.
pub const ID_PLACEHOLDER: &str = "[身份证]";
/// Replacement for a mobile number (including any country prefix).
pub const PHONE_PLACEHOLDER: &str = "[手机号]";
/// Replacement for a bank card number.
pub const BANK_CARD_PLACEHOLDER: &str = "[银行卡]";

/// Replaces mainland ID numbers, mobile numbers and bank card numbers in `text`.
pub fn redact(text: &str) -> (String, RedactionCounts) {
    let mut counts = RedactionCounts::default();
    let b = text.as_bytes();
    if !may_contain_pii(b) {
        return (text.to_owned(), counts);
    }

    // Allocated on the first match only.
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let (class, len) = class_at(b, i);
        let found = match class {
            Class::Digit(_) => match_at_digit(b, i),
            Class::Plus | Class::Open => match_prefixed(b, i),
            _ => None,
        };
        if let Some((end, kind)) = found {
            if counts.total() == 0 {
                out.reserve(text.len());
            }
            out.push_str(&text[copied..i]);
            out.push_str(kind.placeholder());
            kind.count(&mut counts);
            copied = end;
            i = end;
        } else if let Class::Digit(_) = class {
            // A failed digit run is skipped as a whole: its inner positions
            // are bordered by digits and can never start a match.
            i = skip_digits(b, i);
        } else {
            i += len;
        }
    }
    if counts.total() == 0 {
        return (text.to_owned(), counts);
    }
    out.push_str(&text[copied..]);
    (out, counts)
}

// ---------------------------------------------------------------------------
// Character classes over UTF-8 bytes
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII or full-width digit, with its value.
    Digit(u8),
    /// Single separator allowed between digit groups.
    Sep,
    /// `X`, `x`, `Ｘ`, `ｘ` (also a letter for bordering purposes).
    X,
    /// Any other ASCII or full-width Latin letter.
    Letter,
    Plus,
    Open,
    Close,
    /// Anything else, including end of input.
    Other,
}

/// Classifies the character starting at byte `i` and returns its byte length
/// (0 at end of input).
fn class_at(b: &[u8], i: usize) -> (Class, usize) {
    let Some(&x) = b.get(i) else {
        return (Class::Other, 0);
    };
    if x < 0x80 {
        let class = match x {
            b'0'..=b'9' => Class::Digit(x - b'0'),
            b' ' | b'-' => Class::Sep,
            b'X' | b'x' => Class::X,
            b'+' => Class::Plus,
            b'(' => Class::Open,
            b')' => Class::Close,
            _ if x.is_ascii_alphabetic() => Class::Letter,
            _ => Class::Other,
        };
        return (class, 1);
    }
    let len = utf8_len(x);
    if len == 3 && i + 2 < b.len() {
        let (y, z) = (b[i + 1], b[i + 2]);
        let class = match (x, y, z) {
            // U+FF10..U+FF19 full-width digits
            (0xEF, 0xBC, 0x90..=0x99) => Class::Digit(z - 0x90),
            // U+FF0D full-width hyphen-minus, U+3000 ideographic space
            (0xEF, 0xBC, 0x8D) | (0xE3, 0x80, 0x80) => Class::Sep,
            (0xEF, 0xBC, 0x8B) => Class::Plus,
            (0xEF, 0xBC, 0x88) => Class::Open,
            (0xEF, 0xBC, 0x89) => Class::Close,
            // U+FF38 Ｘ, U+FF58 ｘ
            (0xEF, 0xBC, 0xB8) | (0xEF, 0xBD, 0x98) => Class::X,
            // U+FF21..U+FF3A Ａ-Ｚ, U+FF41..U+FF5A ａ-ｚ
            (0xEF, 0xBC, 0xA1..=0xBA) | (0xEF, 0xBD, 0x81..=0x9A) => Class::Letter,
            _ => Class::Other,
        };
        return (class, 3);
    }
    (Class::Other, len)
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Classifies the character that ends right before byte `i`.
fn class_before(b: &[u8], i: usize) -> Class {
    if i == 0 {
        return Class::Other;
    }
    let mut j = i - 1;
    while j > 0 && i - j < 4 && (b[j] & 0xC0) == 0x80 {
        j -= 1;
    }
    class_at(b, j).0
}

fn is_digit(c: Class) -> bool {
    matches!(c, Class::Digit(_))
}

/// Whether a character may directly border a matched number.
fn is_boundary(c: Class) -> bool {
    !matches!(c, Class::Digit(_) | Class::Letter | Class::X)
}

/// Whether the run starting at `i` is preceded by `digit + separator`, i.e. is
/// a later group of a longer chain.
fn chained_before(b: &[u8], i: usize) -> bool {
    if class_before(b, i) != Class::Sep {
        return false;
    }
    // Separators are 1 or 3 bytes long.
    let sep_len = if b[i - 1] < 0x80 { 1 } else { 3 };
    is_digit(class_before(b, i - sep_len))
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    loop {
        match class_at(b, i) {
            (Class::Digit(_), len) => i += len,
            _ => return i,
        }
    }
}

/// Cheap pre-check: is there a run of at least 11 digits, allowing single
/// separators between them? Every redactable number contains one.
fn may_contain_pii(b: &[u8]) -> bool {
    const MIN_DIGITS: usize = 11;
    let mut digits = 0;
    let mut after_sep = false;
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        let (is_digit, is_sep, step) = if x.is_ascii_digit() {
            (true, false, 1)
        } else if x == b' ' || x == b'-' {
            (false, true, 1)
        } else if (x == 0xEF || x == 0xE3) && i + 2 < b.len() {
            match (x, b[i + 1], b[i + 2]) {
                (0xEF, 0xBC, 0x90..=0x99) => (true, false, 3),
                (0xEF, 0xBC, 0x8D) | (0xE3, 0x80, 0x80) => (false, true, 3),
                _ => (false, false, 1),
            }
        } else {
            (false, false, 1)
        };
        if is_digit {
            digits += 1;
            if digits >= MIN_DIGITS {
                return true;
            }
            after_sep = false;
        } else if is_sep && digits > 0 && !after_sep {
            after_sep = true;
        } else {
            digits = 0;
            after_sep = false;
        }
        i += step;
    }
    false
}

// ---------------------------------------------------------------------------
// Digit collection
// ---------------------------------------------------------------------------

/// Longest number that can match (a 19-digit card).
const DIGIT_CAP: usize = 19;

/// Digit values of a candidate; `len` keeps counting past the capacity.
#[derive(Clone, Copy)]
struct Digits {
    buf: [u8; DIGIT_CAP],
    len: usize,
}

impl Digits {
    fn new() -> Self {
        Digits {
            buf: [0; DIGIT_CAP],
            len: 0,
        }
    }

    fn push(&mut self, value: u8) {
        if self.len < DIGIT_CAP {
            self.buf[self.len] = value;
        }
        self.len = self.len.saturating_add(1);
    }

    /// The digits, or `None` when there were too many to match anything.
    fn get(&self) -> Option<&[u8]> {
        (self.len <= DIGIT_CAP).then(|| &self.buf[..self.len])
    }
}

/// Reads the digit run at `i` into `d` and returns its end.
fn scan_digits(b: &[u8], mut i: usize, d: &mut Digits) -> usize {
    while let (Class::Digit(v), len) = class_at(b, i) {
        d.push(v);
        i += len;
    }
    i
}

const MAX_GROUPS: usize = 5;

/// Digit groups joined by single separators, read as far as they go (up to
/// one group more than any pattern needs).
struct Chain {
    digits: Digits,
    lens: [usize; MAX_GROUPS + 1],
    groups: usize,
    /// All separators in the chain are the same character.
    uniform: bool,
    end: usize,
}

impl Chain {
    fn read(b: &[u8], start: usize) -> Chain {
        let mut chain = Chain {
            digits: Digits::new(),
            lens: [0; MAX_GROUPS + 1],
            groups: 0,
            uniform: true,
            end: start,
        };
        let mut sep: Option<&[u8]> = None;
        let mut pos = start;
        loop {
            let before = chain.digits.len;
            pos = scan_digits(b, pos, &mut chain.digits);
            chain.lens[chain.groups] = chain.digits.len - before;
            chain.groups += 1;
            if chain.groups > MAX_GROUPS {
                break;
            }
            let (c, len) = class_at(b, pos);
            if c != Class::Sep || !is_digit(class_at(b, pos + len).0) {
                break;
            }
            let this = &b[pos..pos + len];
            match sep {
                None => sep = Some(this),
                Some(prev) if prev != this => chain.uniform = false,
                Some(_) => {}
            }
            pos += len;
        }
        chain.end = pos;
        chain
    }

    fn lens(&self) -> &[usize] {
        &self.lens[..self.groups]
    }
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    Phone,
    Card,
}

impl Kind {
    fn placeholder(self) -> &'static str {
        match self {
            Kind::Id => ID_PLACEHOLDER,
            Kind::Phone => PHONE_PLACEHOLDER,
            Kind::Card => BANK_CARD_PLACEHOLDER,
        }
    }

    fn count(self, counts: &mut RedactionCounts) {
        match self {
            Kind::Id => counts.id_numbers += 1,
            Kind::Phone => counts.phone_numbers += 1,
            Kind::Card => counts.bank_cards += 1,
        }
    }
}

/// Value used for the check character `X`.
const CHECK_X: u8 = 10;

/// Labels of an ID number, and of a card number (see the module doc).
const ID_LABELS: [&str; 3] = ["身份证", "证件号", "身份号"];
const CARD_LABELS: [&str; 4] = ["银行卡", "卡号", "账号", "帐号"];
/// How far before a number its label may be, in bytes (eight CJK
/// characters: 身份证号码： and a space fit).
const LABEL_WINDOW: usize = 24;

/// Whether one of `labels` ends within [`LABEL_WINDOW`] bytes before `i`.
fn labelled(b: &[u8], i: usize, labels: &[&str]) -> bool {
    let mut start = i.saturating_sub(LABEL_WINDOW);
    while start < i && (b[start] & 0xC0) == 0x80 {
        start += 1;
    }
    let window = &b[start..i];
    labels
        .iter()
        .any(|label| window.windows(label.len()).any(|w| w == label.as_bytes()))
}

/// A contiguous number that fails the checks but follows its label.
fn classify_labelled(b: &[u8], i: usize, s: &[u8]) -> Option<Kind> {
    match s.len() {
        15 | 18 if labelled(b, i, &ID_LABELS) => Some(Kind::Id),
        16..=19 if labelled(b, i, &CARD_LABELS) => Some(Kind::Card),
        _ => None,
    }
}

/// Tries a match starting at the digit run at `i`; returns its end and kind.
fn match_at_digit(b: &[u8], i: usize) -> Option<(usize, Kind)> {
    if !is_boundary(class_before(b, i)) {
        return None;
    }
    let mut d = Digits::new();
    let end = scan_digits(b, i, &mut d);
    let (next, next_len) = class_at(b, end);
    match next {
        Class::X => {
            let after = end + next_len;
            let ok = is_boundary(class_at(b, after).0)
                && d.get().is_some_and(|s| {
                    s.len() == 17 && (is_id18(s, CHECK_X) || labelled(b, i, &ID_LABELS))
                });
            return ok.then_some((after, Kind::Id));
        }
        Class::Letter => return None,
        _ => {}
    }
    let digits = d.get()?;
    if let Some(kind) = classify_contiguous(digits).or_else(|| classify_labelled(b, i, digits)) {
        return Some((end, kind));
    }
    if next != Class::Sep || chained_before(b, i) {
        return None;
    }
    if is_country_code(digits)
        && let Some(body_end) = match_phone_body(b, end + next_len)
    {
        return Some((body_end, Kind::Phone));
    }
    match digits.len() {
        3 | 4 | 6 => match_grouped(b, i),
        _ => None,
    }
}

/// Classifies a contiguous, properly bordered digit run.
fn classify_contiguous(s: &[u8]) -> Option<Kind> {
    match s.len() {
        11 if is_mobile(s) => Some(Kind::Phone),
        13 if s.starts_with(&[8, 6]) && is_mobile(&s[2..]) => Some(Kind::Phone),
        15 if s.starts_with(&[0, 0, 8, 6]) && is_mobile(&s[4..]) => Some(Kind::Phone),
        15 if is_id15(s) => Some(Kind::Id),
        18 if is_id18(&s[..17], s[17]) => Some(Kind::Id),
        16..=19 if is_card(s) => Some(Kind::Card),
        _ => None,
    }
}

/// Grouped forms starting at the (unchained) run at `i`: phone 3-4-4, card
/// 4-4-4-4[-1..3], ID 6-8-4 / 6-8-3+X.
fn match_grouped(b: &[u8], i: usize) -> Option<(usize, Kind)> {
    let chain = Chain::read(b, i);
    if !chain.uniform {
        return None;
    }
    let digits = chain.digits.get()?;
    let (next, next_len) = class_at(b, chain.end);
    let lens = chain.lens();
    if next == Class::X {
        let after = chain.end + next_len;
        let ok = matches!(lens, [6, 8, 3] | [4, 4, 4, 4, 1])
            && is_boundary(class_at(b, after).0)
            && is_id18(digits, CHECK_X);
        return ok.then_some((after, Kind::Id));
    }
    if !is_boundary(next) {
        return None;
    }
    let kind = match lens {
        [3, 4, 4] if is_mobile(digits) => Kind::Phone,
        [6, 8, 4] | [4, 4, 4, 4, 2] if is_id18(&digits[..17], digits[17]) => Kind::Id,
        [4, 4, 4, 4] | [4, 4, 4, 4, 1..=3] if is_card(digits) => Kind::Card,
        _ => return None,
    };
    Some((chain.end, kind))
}

/// A mobile number (contiguous or 3-4-4) starting exactly at `j`, after a
/// country prefix. Returns its end.
fn match_phone_body(b: &[u8], j: usize) -> Option<usize> {
    if !is_digit(class_at(b, j).0) {
        return None;
    }
    let mut d = Digits::new();
    let end = scan_digits(b, j, &mut d);
    match d.len {
        11 => {
            let ok = is_boundary(class_at(b, end).0) && d.get().is_some_and(is_mobile);
            ok.then_some(end)
        }
        3 => match match_grouped(b, j)? {
            (end, Kind::Phone) => Some(end),
            _ => None,
        },
        _ => None,
    }
}

/// Country-prefixed mobile numbers starting with `+`, `(` or `（`.
fn match_prefixed(b: &[u8], i: usize) -> Option<(usize, Kind)> {
    let (first, first_len) = class_at(b, i);
    let mut p = i + first_len;
    let paren = first == Class::Open;
    if paren && let (Class::Plus, len) = class_at(b, p) {
        p += len;
    }
    if !is_digit(class_at(b, p).0) {
        return None;
    }
    let mut d = Digits::new();
    let end = scan_digits(b, p, &mut d);
    let digits = d.get()?;
    let (next, next_len) = class_at(b, end);
    if paren {
        if !is_country_code(digits) || next != Class::Close {
            return None;
        }
        p = end + next_len;
        if let (Class::Sep, len) = class_at(b, p) {
            p += len;
        }
        return match_phone_body(b, p).map(|e| (e, Kind::Phone));
    }
    if digits.len() == 13 && digits.starts_with(&[8, 6]) && is_mobile(&digits[2..]) {
        return is_boundary(next).then_some((end, Kind::Phone));
    }
    if digits == [8, 6] && next == Class::Sep {
        return match_phone_body(b, end + next_len).map(|e| (e, Kind::Phone));
    }
    None
}

// ---------------------------------------------------------------------------
// Number checks (digit values, not characters)
// ---------------------------------------------------------------------------

fn is_country_code(s: &[u8]) -> bool {
    s == [8, 6] || s == [0, 0, 8, 6]
}

fn is_mobile(s: &[u8]) -> bool {
    s.len() == 11 && s[0] == 1 && (3..=9).contains(&s[1])
}

fn number(s: &[u8]) -> u32 {
    s.iter().fold(0, |acc, &d| acc * 10 + u32::from(d))
}

fn plausible_month_day(month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// 18-character ID: `first17` digits plus `check` (0–9, or [`CHECK_X`]).
fn is_id18(first17: &[u8], check: u8) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    // "10X98765432" as values, X = 10.
    const CHECK_VALUES: [u8; 11] = [1, 0, CHECK_X, 9, 8, 7, 6, 5, 4, 3, 2];
    if first17.len() != 17 {
        return false;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    if CHECK_VALUES[(sum % 11) as usize] != check {
        return false;
    }
    let year = number(&first17[6..10]);
    (1900..=2099).contains(&year)
        && plausible_month_day(number(&first17[10..12]), number(&first17[12..14]))
}

/// Old 15-digit ID: `YYMMDD` in positions 7–12.
fn is_id15(s: &[u8]) -> bool {
    s.len() == 15 && plausible_month_day(number(&s[8..10]), number(&s[10..12]))
}

fn is_card(s: &[u8]) -> bool {
    (16..=19).contains(&s.len()) && matches!(s[0], 3..=6 | 9) && luhn_valid(s)
}

fn luhn_valid(s: &[u8]) -> bool {
    let sum: u32 = s
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = u32::from(d);
            if k % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;
