//! Lexicon-based sentiment scoring of segmented Chinese text: how favourable a
//! post, news item or petition is towards the police or public service it
//! talks about, as one number in [-1, 1]. Std-only; the caller segments the
//! text (jieba) and passes the tokens in order.
//!
//! # Lexicon
//!
//! `dictionaries/sentiment.txt`, one `WORD TYPE WEIGHT` entry a line (see the
//! file's header): `pos`/`neg` words weigh 1..3, `not` marks negators, `degree`
//! adverbs carry a multiplier, `but` conjunctions carry the multiplier for
//! what follows them. [`SentimentLexicon::embedded`] is that file compiled in.
//!
//! # Algorithm ([`score`])
//!
//! 1. **Units.** Punctuation tokens containing `，。！？；、,.!?;：:…~～—` and
//!    whitespace tokens end a *clause*; those with `。！？；.!?;` or a line
//!    break also end a *sentence*. Quotes, brackets and other symbol-only
//!    tokens (“ ” 《 》 …) are ignored: they neither split nor take a slot.
//!    Consecutive word tokens (2 to 5) whose concatenation is a pos/neg entry
//!    are merged first, longest first (不/作为 → 不作为, 不/受理 → 不受理,
//!    只/接警/不/处警 → 只接警不处警), so jieba need not know the lexicon.
//! 2. **Tokens not in the lexicon** are decomposed as
//!    `[negator | degree]* core [particle]*`, where the core is a pos/neg
//!    entry and particles are 了的啦啊呀吧哦呢嘛哈咯: 不满意 → 不 + 满意,
//!    很差 → 很 + 差, 太棒了 → 太 + 棒. A lone single-character core with only a
//!    particle is not taken (好的 stays neutral), and neither is a
//!    single-character pos/neg token followed by a particle token with no
//!    modifier in front (好/的, 好/了: "OK"). A token made only of
//!    modifiers counts when it holds exactly one negator (不太, 不是很, 不怎么).
//!    Lexicon entries always win, so 不耐烦, 不作为, 不错 keep their own weight.
//! 3. **Modifiers.** Each pos/neg word gets ±weight times the modifiers in
//!    front of it: those inside its own token plus those in up to 3 previous
//!    tokens of its clause. The look-back stops early at another pos/neg word,
//!    at a `but` word, and at a neutral token in front of a degree adverb,
//!    which opens the phrase: in 从来/没有/见过/这么/差 the negator belongs to
//!    见过, so 差 stays negative (没有/那么/差 is still negated). Degree adverbs
//!    multiply. Each negator multiplies by
//!    −0.8 for a positive word and −0.5 for a negative one (不满意 is mildly
//!    negative; 没有推诿 is only mildly positive), so an odd number of
//!    negators flips the sign. A negator directly followed by a degree adverb
//!    (不太, 不是很, 不怎么) is a softened negation: −0.5 (positive) or −0.3
//!    (negative) and that degree adverb is dropped, so 不太满意 is weaker than
//!    不满意, while 非常不满意 (degree before the negator) is stronger.
//! 4. **But.** In a sentence with a `but` word (但是, 却, 不过 …), every
//!    pos/neg word before the last `but` is ×0.5 and every word after a `but`
//!    is × that word's weight (1.5 in the shipped lexicon).
//! 5. **Exclamation.** A clause ended by a token containing ！ or ! is ×1.2.
//! 6. **Squash.** The contributions are summed to `x` and mapped to
//!    `x / (|x| + 4)`: one plain word of weight 2 gives ±0.33, and long texts
//!    approach but never reach ±1 (no sentiment word gives exactly 0).
//!
//! Known limits: the 3-token look-back can still catch a negator that
//! belongs to another verb (the smaller −0.5 for negative words keeps such
//! misreadings small); irony and rhetorical questions are not detected.

/// Multiplier for pos/neg words before the last `but` word of their sentence.
const PRE_BUT_MULTIPLIER: f32 = 0.5;
/// Multiplier for a clause ended by ！ or !.
const EXCLAMATION_MULTIPLIER: f32 = 1.2;
/// One negator in front of a positive word (不满意).
const NEGATED_POSITIVE: f32 = -0.8;
/// One negator in front of a negative word (没有推诿): not bad is not good.
const NEGATED_NEGATIVE: f32 = -0.5;
/// A negator directly followed by a degree adverb, positive word (不太满意).
const SOFT_NEGATED_POSITIVE: f32 = -0.5;
/// A negator directly followed by a degree adverb, negative word (不太差).
const SOFT_NEGATED_NEGATIVE: f32 = -0.3;
/// How many previous tokens of the clause may modify a sentiment word.
const WINDOW: usize = 3;
/// `k` of the squash `x / (|x| + k)`.
const SQUASH_K: f32 = 4.0;
/// Longest run of tokens merged back into one lexicon word.
const MAX_MERGE: usize = 5;
/// Tokens longer than this (in chars) are not decomposed.
const MAX_DECOMPOSE_CHARS: usize = 8;
/// Sentence-final particles stripped from the end of an unknown token.
const PARTICLES: &[char] = &[
    '了', '的', '啦', '啊', '呀', '吧', '哦', '呢', '嘛', '哈', '咯',
];
/// Punctuation that ends a sentence (and so a clause).
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '!', '?', ';', '．'];
/// Punctuation that ends a clause only.
const CLAUSE_END: &[char] = &[',', '，', '、', '：', ':', '…', '~', '～', '—', '.'];

#[path = "sentiment_lexicon.rs"]
mod lexicon;

use lexicon::Class;
pub use lexicon::{LexiconError, SentimentLexicon};

impl SentimentLexicon {
    /// Turns tokens into units; word units index into `atoms`.
    fn units(&self, words: &[&str], atoms: &mut Vec<Class>) -> Vec<Unit> {
        let mut units = Vec::with_capacity(words.len());
        let kinds: Vec<TokenKind> = words.iter().map(|w| self.token_kind(w)).collect();
        let mut merged = String::new();
        let mut i = 0;
        while i < words.len() {
            let token = words[i];
            match kinds[i] {
                TokenKind::Skip => {
                    i += 1;
                    continue;
                }
                TokenKind::Boundary { sentence, exclaim } => {
                    units.push(Unit::Boundary { sentence, exclaim });
                    i += 1;
                    continue;
                }
                TokenKind::Word => {}
            }
            let start = atoms.len();
            let mut bare = false;
            if let Some((count, weight)) = self.merge(words, &kinds, i, &mut merged) {
                atoms.push(Class::Sentiment(weight));
                i += count;
            } else {
                match self.classes.get(token) {
                    Some(class) => {
                        atoms.push(*class);
                        bare = matches!(class, Class::Sentiment(_))
                            && token.chars().count() == 1
                            && words.get(i + 1).is_some_and(|next| is_particle(next));
                    }
                    None => self.decompose(token, atoms),
                }
                i += 1;
            }
            units.push(Unit::Word {
                start,
                end: atoms.len(),
                bare,
            });
        }
        units
    }

    fn token_kind(&self, token: &str) -> TokenKind {
        if token.is_empty() {
            return TokenKind::Skip;
        }
        if token.chars().all(char::is_whitespace) {
            return TokenKind::Boundary {
                sentence: token.contains(['\n', '\r']),
                exclaim: false,
            };
        }
        if crate::text::segment::is_word(token) || self.classes.contains_key(token) {
            return TokenKind::Word;
        }
        let ellipsis = token.chars().count() > 1 && token.chars().all(|c| c == '.');
        let sentence = (!ellipsis && token.contains(SENTENCE_END)) || token.contains(['\n', '\r']);
        if sentence || token.contains(CLAUSE_END) {
            TokenKind::Boundary {
                sentence,
                exclaim: token.contains(['！', '!']),
            }
        } else {
            TokenKind::Skip
        }
    }

    /// 2 to [`MAX_MERGE`] word tokens from `i` that together are a pos/neg
    /// entry, longest first.
    fn merge(
        &self,
        words: &[&str],
        kinds: &[TokenKind],
        i: usize,
        buffer: &mut String,
    ) -> Option<(usize, f32)> {
        if !self.sentiment_starts.may_start(words[i]) {
            return None;
        }
        buffer.clear();
        // ends[n]: byte length of the first n tokens joined.
        let mut ends = [0; MAX_MERGE + 1];
        let mut n = 0;
        while n < MAX_MERGE
            && i + n < words.len()
            && matches!(kinds[i + n], TokenKind::Word)
            && buffer.len() + words[i + n].len() <= self.max_sentiment_bytes
        {
            buffer.push_str(words[i + n]);
            n += 1;
            ends[n] = buffer.len();
            if !self.prefixes.contains(buffer.as_str()) {
                break;
            }
        }
        (2..=n)
            .rev()
            .find_map(|count| match self.classes.get(&buffer[..ends[count]]) {
                Some(Class::Sentiment(weight)) => Some((count, *weight)),
                _ => None,
            })
    }

    /// Appends the atoms of a token that is not itself in the lexicon, or
    /// nothing when it does not decompose (see the module comment).
    fn decompose(&self, token: &str, atoms: &mut Vec<Class>) {
        if token.chars().count() > MAX_DECOMPOSE_CHARS {
            return;
        }
        let start = atoms.len();
        let mut core_chars = 0;
        // The caller found no entry for the whole token.
        if !self.split_parts(token, atoms, &mut core_chars) {
            atoms.truncate(start);
            return;
        }
        let parts = &atoms[start..];
        let accepted = match parts {
            [Class::Sentiment(_)] => core_chars >= 2,
            [.., Class::Sentiment(_)] => true,
            _ => parts.iter().filter(|a| matches!(a, Class::Negator)).count() == 1,
        };
        if !accepted {
            atoms.truncate(start);
        }
    }

    /// `rest` as modifiers, a core word and particles; backtracks over
    /// prefix lengths, longest first.
    fn split(&self, rest: &str, atoms: &mut Vec<Class>, core_chars: &mut usize) -> bool {
        match self.classes.get(rest) {
            Some(Class::But(_)) => false,
            Some(class) => {
                if matches!(class, Class::Sentiment(_)) {
                    *core_chars = rest.chars().count();
                }
                atoms.push(*class);
                true
            }
            None => self.split_parts(rest, atoms, core_chars),
        }
    }

    /// [`Self::split`] of a `rest` that is not itself an entry.
    fn split_parts(&self, rest: &str, atoms: &mut Vec<Class>, core_chars: &mut usize) -> bool {
        if let Some(last) = rest.chars().last()
            && PARTICLES.contains(&last)
            && rest.len() > last.len_utf8()
            && self.split(&rest[..rest.len() - last.len_utf8()], atoms, core_chars)
        {
            return true;
        }
        if !self.modifier_starts.may_start(rest) {
            return false;
        }
        for (at, _) in rest.char_indices().rev().filter(|&(at, _)| at > 0) {
            let (head, tail) = rest.split_at(at);
            if let Some(class @ (Class::Negator | Class::Degree(_))) = self.classes.get(head) {
                let len = atoms.len();
                atoms.push(*class);
                if self.split(tail, atoms, core_chars) {
                    return true;
                }
                atoms.truncate(len);
            }
        }
        false
    }
}

/// Whether `token` is one sentence-final particle (了, 的 …).
fn is_particle(token: &str) -> bool {
    let mut chars = token.chars();
    chars.next().is_some_and(|c| PARTICLES.contains(&c)) && chars.next().is_none()
}

#[derive(Debug, Clone, Copy)]
enum TokenKind {
    Word,
    Boundary { sentence: bool, exclaim: bool },
    Skip,
}

#[derive(Debug, Clone, Copy)]
enum Unit {
    /// A word token; its atoms are `atoms[start..end]` (empty: neutral).
    /// `bare`: a single-character pos/neg word followed by a particle token,
    /// neutral unless modified (好的 "OK" vs 不好的).
    Word {
        start: usize,
        end: usize,
        bare: bool,
    },
    /// End of a clause, and maybe of a sentence.
    Boundary { sentence: bool, exclaim: bool },
}

/// Sentiment of a text given its segmented words in order (jieba tokens,
/// including punctuation and whitespace tokens, which end clauses).
/// Returns a score in [-1.0, 1.0]: 0 when no sentiment word is found.
pub fn score(lexicon: &SentimentLexicon, words: &[&str]) -> f32 {
    let mut atoms = Vec::new();
    let units = lexicon.units(words, &mut atoms);
    let mut total = 0.0f32;
    let mut start = 0;
    for (i, unit) in units.iter().enumerate() {
        if let Unit::Boundary { sentence: true, .. } = unit {
            total += sentence_sum(&units[start..=i], &atoms);
            start = i + 1;
        }
    }
    total += sentence_sum(&units[start..], &atoms);
    if total == 0.0 {
        return 0.0;
    }
    (total / (total.abs() + SQUASH_K)).clamp(-1.0, 1.0)
}

/// Sum of the contributions of one sentence (its final boundary included).
fn sentence_sum(units: &[Unit], atoms: &[Class]) -> f32 {
    // Exclamation multiplier of each unit's clause.
    let mut clause_multiplier = vec![1.0f32; units.len()];
    let mut clause_start = 0;
    for (i, unit) in units.iter().enumerate() {
        if let Unit::Boundary { exclaim, .. } = unit {
            if *exclaim {
                clause_multiplier[clause_start..i].fill(EXCLAMATION_MULTIPLIER);
            }
            clause_start = i + 1;
        }
    }
    // Index in `atoms` (increasing through the text) of the last `but` word.
    let last_but = units
        .iter()
        .rev()
        .filter_map(|unit| match *unit {
            Unit::Word { start, end, .. } => (start..end)
                .rev()
                .find(|&a| matches!(atoms[a], Class::But(_))),
            Unit::Boundary { .. } => None,
        })
        .next();
    let mut active_but: Option<f32> = None;
    let mut modifiers = Vec::new();
    let mut total = 0.0;
    for (u, unit) in units.iter().enumerate() {
        let Unit::Word { start, end, bare } = *unit else {
            continue;
        };
        for a in start..end {
            match atoms[a] {
                Class::But(multiplier) => active_but = Some(multiplier),
                Class::Sentiment(weight) => {
                    let but = match last_but {
                        Some(position) if a < position => PRE_BUT_MULTIPLIER,
                        _ => active_but.unwrap_or(1.0),
                    };
                    collect_modifiers(units, atoms, u, a, &mut modifiers);
                    if bare
                        && !modifiers
                            .iter()
                            .any(|m| matches!(m, Class::Negator | Class::Degree(_)))
                    {
                        continue;
                    }
                    let factor = modifier_factor(&modifiers, weight > 0.0);
                    total += weight * factor * but * clause_multiplier[u];
                }
                Class::Negator | Class::Degree(_) => {}
            }
        }
    }
    total
}

/// The modifier atoms in front of the sentiment atom `atoms[a]` of unit `u`,
/// in text order: up to [`WINDOW`] previous word units of the clause, then
/// those of unit `u` before `a`. The look-back stops at a unit with a
/// sentiment or `but` atom, and at a neutral unit in front of a degree
/// adverb: the adverb opens the phrase, so in 没有/见过/这么/差 the 没有
/// belongs to 见过 and 差 is not negated (没有/那么/差 still is).
fn collect_modifiers(units: &[Unit], atoms: &[Class], u: usize, a: usize, out: &mut Vec<Class>) {
    out.clear();
    let Unit::Word {
        start: own_start, ..
    } = units[u]
    else {
        return;
    };
    let own = &atoms[own_start..a];
    let mut seen_degree = own.iter().any(|atom| matches!(atom, Class::Degree(_)));
    let mut taken = 0;
    let mut k = u;
    while k > 0 && taken < WINDOW {
        k -= 1;
        let Unit::Word { start, end, .. } = units[k] else {
            break;
        };
        let unit_atoms = &atoms[start..end];
        if unit_atoms
            .iter()
            .any(|atom| matches!(atom, Class::Sentiment(_) | Class::But(_)))
            || (unit_atoms.is_empty() && seen_degree)
        {
            break;
        }
        seen_degree |= unit_atoms
            .iter()
            .any(|atom| matches!(atom, Class::Degree(_)));
        // Collected backwards, reversed below.
        out.extend(unit_atoms.iter().rev());
        taken += 1;
    }
    out.reverse();
    out.extend_from_slice(own);
}

/// Product of degree multipliers and negation factors (see the module
/// comment); a negator directly followed by a degree adverb is one softened
/// negation and that adverb is dropped.
fn modifier_factor(modifiers: &[Class], positive: bool) -> f32 {
    let (negated, softened) = if positive {
        (NEGATED_POSITIVE, SOFT_NEGATED_POSITIVE)
    } else {
        (NEGATED_NEGATIVE, SOFT_NEGATED_NEGATIVE)
    };
    let mut factor = 1.0;
    let mut i = 0;
    while i < modifiers.len() {
        match modifiers[i] {
            Class::Negator => {
                if let Some(Class::Degree(_)) = modifiers.get(i + 1) {
                    factor *= softened;
                    i += 2;
                    continue;
                }
                factor *= negated;
            }
            Class::Degree(multiplier) => factor *= multiplier,
            Class::Sentiment(_) | Class::But(_) => {}
        }
        i += 1;
    }
    factor
}

#[cfg(test)]
#[path = "sentiment_tests.rs"]
mod tests;
