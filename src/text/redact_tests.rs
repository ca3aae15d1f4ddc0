//! Tests of `redact`: golden cases and properties.
use super::*;

// ---------------------------------------------------------------------
// Helpers: compute check characters instead of hard-coding them.
// ---------------------------------------------------------------------

/// ISO 7064 MOD 11-2 check character for the first 17 digits of an ID.
fn id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    assert_eq!(first17.len(), 17, "{first17}");
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    "10X98765432".as_bytes()[(sum % 11) as usize] as char
}

/// Appends the Luhn check digit to `prefix`.
fn luhn_complete(prefix: &str) -> String {
    let sum: u32 = prefix
        .chars()
        .rev()
        .enumerate()
        .map(|(k, c)| {
            let d = c.to_digit(10).expect("digit");
            // The check digit will sit at position 0 from the right, so
            // the rightmost prefix digit is doubled.
            if k % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    format!("{prefix}{}", (10 - sum % 10) % 10)
}

/// Independent reference check of an 18-character ID string.
fn is_valid_id18_str(s: &str) -> bool {
    if s.len() != 18 || !s.ends_with(id_check_char(&s[..17])) {
        return false;
    }
    let year: u32 = s[6..10].parse().unwrap();
    let month: u32 = s[10..12].parse().unwrap();
    let day: u32 = s[12..14].parse().unwrap();
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn id18(first17: &str) -> String {
    format!("{first17}{}", id_check_char(first17))
}

fn luhn_ok(s: &str) -> bool {
    let digits: Vec<u8> = s.bytes().map(|c| c - b'0').collect();
    luhn_valid(&digits)
}

/// Groups a digit string in fours with `sep`.
fn group4(s: &str, sep: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Replaces the last digit by a different one.
fn break_last(s: &str) -> String {
    let (head, last) = s.split_at(s.len() - 1);
    let d = last.parse::<u32>().unwrap();
    format!("{head}{}", (d + 1) % 10)
}

fn to_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            'X' => 'Ｘ',
            'x' => 'ｘ',
            _ => c,
        })
        .collect()
}

fn counts(id_numbers: usize, phone_numbers: usize, bank_cards: usize) -> RedactionCounts {
    RedactionCounts {
        id_numbers,
        phone_numbers,
        bank_cards,
    }
}

const NONE: RedactionCounts = RedactionCounts {
    id_numbers: 0,
    phone_numbers: 0,
    bank_cards: 0,
};

struct Case {
    name: &'static str,
    input: String,
    expected: String,
    counts: RedactionCounts,
}

fn case(
    name: &'static str,
    input: impl Into<String>,
    expected: impl Into<String>,
    counts: RedactionCounts,
) -> Case {
    Case {
        name,
        input: input.into(),
        expected: expected.into(),
        counts,
    }
}

fn unchanged(name: &'static str, input: impl Into<String>) -> Case {
    let input = input.into();
    Case {
        name,
        expected: input.clone(),
        input,
        counts: NONE,
    }
}

fn run_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let (out, got) = redact(&c.input);
        if out != c.expected || got != c.counts {
            failures.push(format!(
                "{}:\n  input    {:?}\n  expected {:?} {:?}\n  got      {:?} {:?}",
                c.name, c.input, c.expected, c.counts, out, got
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------
// Helper self-checks against published reference values.
// ---------------------------------------------------------------------

#[test]
fn helpers_match_reference_values() {
    // GB 11643 example number.
    assert_eq!(id_check_char("11010519491231002"), 'X');
    // Classic Luhn example 7992739871 → 3, and the Visa test card.
    assert_eq!(luhn_complete("7992739871"), "79927398713");
    assert_eq!(luhn_complete("411111111111111"), "4111111111111111");
    assert!(luhn_ok("79927398713"));
    assert!(!luhn_ok("79927398710"));
    assert!(is_id18(
        &[1, 1, 0, 1, 0, 5, 1, 9, 4, 9, 1, 2, 3, 1, 0, 0, 2],
        CHECK_X
    ));
}

// ---------------------------------------------------------------------
// Golden cases
// ---------------------------------------------------------------------

#[test]
fn golden_id_numbers() {
    let id_x = "11010519491231002X";
    let id_digit = id18("44030419850315123");
    assert!(id_digit.chars().last().unwrap().is_ascii_digit() || id_digit.ends_with('X'));
    let bad = "110105194912310021"; // correct check char is X
    let bad_date = id18("11010519491331002"); // month 13
    let bad_year = id18("11010518491231002"); // year 1849
    let id_first17 = &id_x[..17];
    run_cases(&[
        case(
            "valid_id18_with_x",
            format!("身份证号：{id_x}，"),
            "身份证号：[身份证]，",
            counts(1, 0, 0),
        ),
        case(
            "valid_id18_lowercase_x",
            format!("证件{id_first17}x。"),
            "证件[身份证]。",
            counts(1, 0, 0),
        ),
        case(
            "valid_id18_digit_check",
            format!("号码{id_digit}"),
            "号码[身份证]",
            counts(1, 0, 0),
        ),
        case(
            "full_width_id18",
            format!("身份证{}号", to_full_width(id_x)),
            "身份证[身份证]号",
            counts(1, 0, 0),
        ),
        case(
            "id18_grouped_6_8_4",
            format!("身份证 {} {} {}。", &id_x[..6], &id_x[6..14], &id_x[14..]),
            "身份证 [身份证]。",
            counts(1, 0, 0),
        ),
        unchanged("invalid_checksum_id_stays", format!("编号：{bad}，")),
        // After its label a mistyped ID is still someone's ID.
        case(
            "labelled_id_with_a_bad_checksum",
            format!("身份证号：{bad}，"),
            "身份证号：[身份证]，",
            counts(1, 0, 0),
        ),
        case(
            "labelled_id_bad_checksum_with_x",
            format!("证件号码 {}X", break_last(id_first17)),
            "证件号码 [身份证]",
            counts(1, 0, 0),
        ),
        case(
            "labelled_id_bad_date",
            format!("身份号{bad_date}"),
            "身份号[身份证]",
            counts(1, 0, 0),
        ),
        unchanged(
            "label_too_far_before_the_number",
            format!("身份证丢了以后我到派出所报案，民警给了回执{bad}"),
        ),
        unchanged(
            "labelled_but_wrong_length",
            format!("身份证号：{}", &bad[..16]),
        ),
        case(
            "id18_grouped_in_fours",
            format!(
                "身份证 {} {} {} {} {}。",
                &id_x[..4],
                &id_x[4..8],
                &id_x[8..12],
                &id_x[12..16],
                &id_x[16..]
            ),
            "身份证 [身份证]。",
            counts(1, 0, 0),
        ),
        case(
            "id18_grouped_in_fours_digit_check",
            format!("号 {}。", group4(&id_digit, " ")),
            "号 [身份证]。",
            counts(1, 0, 0),
        ),
        unchanged("id_with_implausible_month_stays", format!("号{bad_date}")),
        unchanged("id_with_implausible_year_stays", format!("号{bad_year}")),
        unchanged("id_followed_by_digit_after_x_stays", format!("{id_x}5")),
        unchanged("id_followed_by_letter_stays", format!("{id_x}Y")),
        case(
            "id15_old_format",
            "老身份证：110105491231002。",
            "老身份证：[身份证]。",
            counts(1, 0, 0),
        ),
        unchanged("id15_implausible_date_stays", "编号110105491331002。"),
    ]);
}

#[test]
fn golden_phone_numbers() {
    run_cases(&[
        case(
            "plain_phone",
            "电话13812345678。",
            "电话[手机号]。",
            counts(0, 1, 0),
        ),
        case(
            "plus86_phone_with_spaces",
            "请拨打+86 138 1234 5678联系",
            "请拨打[手机号]联系",
            counts(0, 1, 0),
        ),
        case(
            "plus86_dash_phone",
            "电话+86-13812345678",
            "电话[手机号]",
            counts(0, 1, 0),
        ),
        case(
            "plus86_attached",
            "电话+8613812345678，",
            "电话[手机号]，",
            counts(0, 1, 0),
        ),
        case(
            "bare_86_attached",
            "电话8613812345678，",
            "电话[手机号]，",
            counts(0, 1, 0),
        ),
        case(
            "bare_86_space",
            "电话：86 13812345678",
            "电话：[手机号]",
            counts(0, 1, 0),
        ),
        case(
            "0086_prefix",
            "拨0086-13812345678即可",
            "拨[手机号]即可",
            counts(0, 1, 0),
        ),
        case(
            "0086_attached",
            "拨008613812345678即可",
            "拨[手机号]即可",
            counts(0, 1, 0),
        ),
        case(
            "paren_plus86",
            "电话(+86)13812345678。",
            "电话[手机号]。",
            counts(0, 1, 0),
        ),
        case(
            "full_width_paren_plus86_grouped",
            "电话（+86） 138 1234 5678。",
            "电话[手机号]。",
            counts(0, 1, 0),
        ),
        case(
            "full_width_paren_full_width_plus",
            "电话（＋86）13812345678",
            "电话[手机号]",
            counts(0, 1, 0),
        ),
        case(
            "phone_dashed_3_4_4",
            "联系138-1234-5678。",
            "联系[手机号]。",
            counts(0, 1, 0),
        ),
        case(
            "phone_spaced_3_4_4",
            "联系 138 1234 5678 谢谢",
            "联系 [手机号] 谢谢",
            counts(0, 1, 0),
        ),
        case(
            "phone_full_width_digits",
            "电话１３８１２３４５６７８。",
            "电话[手机号]。",
            counts(0, 1, 0),
        ),
        case(
            "phone_full_width_dashes",
            "电话１３８－１２３４－５６７８",
            "电话[手机号]",
            counts(0, 1, 0),
        ),
        case(
            "phone_followed_by_other_number",
            "13812345678 2026",
            "[手机号] 2026",
            counts(0, 1, 0),
        ),
        case(
            "phone_in_parentheses_keeps_parentheses",
            "(+86 138 1234 5678)",
            "([手机号])",
            counts(0, 1, 0),
        ),
        case(
            "ideographic_space_after_prefix",
            "电话+86　13812345678",
            "电话[手机号]",
            counts(0, 1, 0),
        ),
        case(
            "plus_before_plain_phone_kept",
            "+13812345678",
            "+[手机号]",
            counts(0, 1, 0),
        ),
        unchanged("phone_inside_longer_number_stays", "流水号21381234567800。"),
        unchanged("phone_with_trailing_digits_stays", "编号1381234567812"),
        unchanged("letters_before_stay", "代码AB1381234567812"),
        unchanged("letters_adjacent_phone_stays", "代码AB13812345678"),
        unchanged("letters_after_stay", "13812345678cd"),
        unchanged("full_width_letters_adjacent_stay", "ＡＢ13812345678"),
        unchanged("second_digit_2_stays", "号码12812345678"),
        unchanged("mixed_separators_stay", "138 1234-5678"),
        unchanged("grouped_phone_with_extra_group_stays", "138 1234 5678 9"),
        unchanged("double_space_not_a_separator", "138  1234  5678"),
    ]);
}

#[test]
fn labelled_card_numbers_are_redacted_whatever_their_check_digit() {
    let card16 = luhn_complete("622202123456789");
    let bad16 = break_last(&card16);
    let bad19 = break_last(&luhn_complete("621700123456789012"));
    run_cases(&[
        case(
            "labelled_card_bad_luhn",
            format!("银行卡号：{bad16}"),
            "银行卡号：[银行卡]",
            counts(0, 0, 1),
        ),
        case(
            "account_label_19_digits",
            format!("收款账号{bad19}。"),
            "收款账号[银行卡]。",
            counts(0, 0, 1),
        ),
        unchanged("unlabelled_bad_luhn_stays", format!("订单{bad16}")),
        unchanged("labelled_too_short", format!("卡号{}", &bad16[..15])),
    ]);
}

#[test]
fn golden_bank_cards() {
    let card16 = luhn_complete("622202123456789");
    let card19 = luhn_complete("621700123456789012");
    let card16_visa = luhn_complete("436742012345678");
    let bad19 = break_last(&card19);
    let tracking20 = luhn_complete("6217001234567890123");
    let bin1 = luhn_complete("123456789012345"); // 16 digits, BIN 1
    let card16_9 = luhn_complete("955880123456789");
    assert_eq!(card16.len(), 16);
    assert_eq!(card19.len(), 19);
    assert_eq!(tracking20.len(), 20);
    assert!(!luhn_ok(&bad19));

    // 18 digits with a plausible birth date, Luhn-valid, ID checksum
    // fails → a card.
    let card18 = (0..100)
        .map(|k| luhn_complete(&format!("62220219900101{k:03}")))
        .find(|c| !c.ends_with(id_check_char(&c[..17])))
        .expect("an 18-digit card that is no ID");
    // 18 digits, valid as both ID and card → an ID.
    let both = (0..1000)
        .map(|k| id18(&format!("61010219900101{k:03}")))
        .find(|c| !c.ends_with('X') && luhn_ok(c))
        .expect("an 18-digit number valid as ID and card");

    run_cases(&[
        case(
            "luhn_valid_16_digit_card",
            format!("卡号{card16}。"),
            "卡号[银行卡]。",
            counts(0, 0, 1),
        ),
        case(
            "luhn_valid_19_digit_card",
            format!("卡号：{card19}，"),
            "卡号：[银行卡]，",
            counts(0, 0, 1),
        ),
        case(
            "visa_card",
            card16_visa.clone(),
            "[银行卡]",
            counts(0, 0, 1),
        ),
        case(
            "domestic_9_card",
            format!("卡{card16_9}"),
            "卡[银行卡]",
            counts(0, 0, 1),
        ),
        case(
            "card16_grouped_spaces",
            format!("卡号 {} 户名", group4(&card16, " ")),
            "卡号 [银行卡] 户名",
            counts(0, 0, 1),
        ),
        case(
            "card19_grouped_dashes",
            format!("卡号{}。", group4(&card19, "-")),
            "卡号[银行卡]。",
            counts(0, 0, 1),
        ),
        case(
            "card16_grouped_full_width_spaces",
            format!("卡号{}。", group4(&to_full_width(&card16), "　")),
            "卡号[银行卡]。",
            counts(0, 0, 1),
        ),
        case(
            "card18_failing_id_checksum",
            format!("卡{card18}"),
            "卡[银行卡]",
            counts(0, 0, 1),
        ),
        case(
            "id_takes_precedence_over_card",
            format!("号{both}"),
            "号[身份证]",
            counts(1, 0, 0),
        ),
        unchanged(
            "luhn_failing_19_digit_order_stays",
            format!("订单号{bad19}"),
        ),
        unchanged("tracking_20_digits_stays", format!("运单号{tracking20}")),
        unchanged("implausible_bin_stays", format!("编号{bin1}")),
        unchanged(
            "grouped_card_with_extra_group_stays",
            format!("{} 1234", group4(&card16, " ")),
        ),
        unchanged(
            "grouped_card_preceded_by_group_stays",
            format!("1234 {}", group4(&card16, " ")),
        ),
        unchanged("letters_adjacent_card_stays", format!("SN{card16}")),
    ]);
}

#[test]
fn golden_other_numbers_stay() {
    run_cases(&[
        unchanged("date", "2026-11-28发生冲突"),
        unchanged("date_chinese", "2026年11月28日10:20"),
        unchanged("amount", "涉案金额12345678元"),
        unchanged("case_number", "〔2026〕1234号"),
        unchanged("landline", "举报电话0571-88888888。"),
        unchanged("landline_beijing", "010-12345678"),
        unchanged("twelve_digits", "编号123456789012"),
        unchanged("time", "10:20至11:30"),
        unchanged("short_numbers", "1 2 3 4 5 6 7 8 9 10 11 12"),
        unchanged("no_digits", "今天天气很好，民警处置得当。"),
        unchanged("empty", ""),
        unchanged("latin_text", "Officer badge X-ray, no numbers."),
        unchanged("long_digit_run", "9".repeat(10_000)),
    ]);
}

#[test]
fn golden_multiple_pii_in_one_sentence() {
    let card = luhn_complete("622202123456789");
    run_cases(&[
        case(
            "multiple_pii_chinese_punctuation",
            format!(
                "当事人“张某”（身份证11010519491231002X）、电话138-1234-5678——银行卡{card}，另有12345678元。"
            ),
            "当事人“张某”（身份证[身份证]）、电话[手机号]——银行卡[银行卡]，另有12345678元。",
            counts(1, 1, 1),
        ),
        case(
            "adjacent_pii_separated_by_punctuation",
            "13812345678、13912345678、+86 150 0000 0000",
            "[手机号]、[手机号]、[手机号]",
            counts(0, 3, 0),
        ),
    ]);
}

#[test]
fn counts_total() {
    assert_eq!(counts(1, 2, 3).total(), 6);
    assert_eq!(RedactionCounts::default().total(), 0);
}

// ---------------------------------------------------------------------
// Property-style test
// ---------------------------------------------------------------------

/// Small deterministic xorshift generator (no dependencies).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const CONTEXT: &[&str] = &[
    "民",
    "警",
    "执",
    "法",
    "现",
    "场",
    "视",
    "频",
    "网",
    "友",
    "爆",
    "料",
    "，",
    "。",
    "、",
    "“",
    "”",
    "——",
    "：",
    "；",
    "（",
    "）",
    "《",
    "》",
    "！",
    "？",
    " ",
    "电话",
    "身份证",
    "卡号",
    "联系",
];

fn context(rng: &mut Rng) -> String {
    let n = rng.below(6) as usize;
    (0..n).map(|_| rng.pick(CONTEXT)).collect()
}

/// Returns (written form, bare digits, expected kind).
fn generate(rng: &mut Rng) -> (String, String, Kind) {
    match rng.below(3) {
        0 => {
            let region = rng.pick(&["110105", "310101", "440304", "510107", "650102"]);
            let year = 1900 + rng.below(200);
            let month = 1 + rng.below(12);
            let day = 1 + rng.below(31);
            if rng.below(5) == 0 {
                let first15 = format!(
                    "{region}{:02}{month:02}{day:02}{}",
                    year % 100,
                    rng.digits(3)
                );
                return (first15.clone(), first15, Kind::Id);
            }
            let first17 = format!("{region}{year}{month:02}{day:02}{}", rng.digits(3));
            let id = id18(&first17);
            let written = match rng.below(3) {
                0 => id.to_lowercase(),
                1 => to_full_width(&id),
                _ => id.clone(),
            };
            (written, id, Kind::Id)
        }
        1 => {
            let phone = format!("1{}{}", 3 + rng.below(7), rng.digits(9));
            let body = match rng.below(3) {
                0 => phone.clone(),
                1 => format!("{} {} {}", &phone[..3], &phone[3..7], &phone[7..]),
                _ => format!("{}-{}-{}", &phone[..3], &phone[3..7], &phone[7..]),
            };
            let prefix = rng.pick(&["", "", "+86 ", "+86-", "0086 ", "（+86）", "(+86) "]);
            let written = format!("{prefix}{body}");
            let written = if rng.below(4) == 0 {
                to_full_width(&written)
            } else {
                written
            };
            (written, phone, Kind::Phone)
        }
        _ => {
            let bin = rng.pick(&["622202", "621700", "436742", "552599", "955880", "356833"]);
            let len = 16 + rng.below(4) as usize;
            let card = luhn_complete(&format!("{bin}{}", rng.digits(len - 7)));
            let (written, kind) = match rng.below(3) {
                0 => (group4(&card, " "), Kind::Card),
                1 => (group4(&card, "-"), Kind::Card),
                // A contiguous 18-digit card that is also a valid ID is an ID.
                _ if is_valid_id18_str(&card) => (card.clone(), Kind::Id),
                _ => (card.clone(), Kind::Card),
            };
            (written, card, kind)
        }
    }
}

#[test]
fn generated_pii_never_survives() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..5_000 {
        let mut text = String::new();
        let mut expected = String::new();
        let mut originals = Vec::new();
        let mut want = RedactionCounts::default();
        let items = 1 + rng.below(3);
        for _ in 0..items {
            let ctx = context(&mut rng);
            text.push_str(&ctx);
            expected.push_str(&ctx);
            // Keep items apart so that grouped forms never chain.
            text.push('，');
            expected.push('，');
            let (written, digits, kind) = generate(&mut rng);
            text.push_str(&written);
            expected.push_str(kind.placeholder());
            kind.count(&mut want);
            originals.push(digits);
        }
        let tail = context(&mut rng);
        text.push_str(&tail);
        expected.push_str(&tail);

        let (out, got) = redact(&text);
        assert_eq!(out, expected, "round {round}: {text:?}");
        assert_eq!(got, want, "round {round}: {text:?}");
        let out_digits: String = out
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
                _ => None,
            })
            .collect();
        for original in &originals {
            assert!(
                !out.contains(original.as_str()) && !out_digits.contains(original.as_str()),
                "round {round}: {original} survived in {out:?}"
            );
        }
    }
}

#[test]
fn unchanged_text_is_identical_and_scan_is_linear() {
    // Many near-miss digit runs and separators: must stay linear and exact.
    let chunk = "1234 5678 9012 3456 7890 1381234567 2026-11-28 ";
    let text = chunk.repeat(20_000);
    let (out, got) = redact(&text);
    assert_eq!(got, RedactionCounts::default());
    assert_eq!(out, text);

    let big = format!("{}13812345678", "+(（".repeat(50_000));
    let (out, got) = redact(&big);
    assert_eq!(got.phone_numbers, 1);
    assert!(out.ends_with(PHONE_PLACEHOLDER));
}
