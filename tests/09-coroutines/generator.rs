use coroutines::generator::{Fibonacci, Token, Tokens};
use forklings_support::snapshot_settings;
use proptest::prelude::*;

#[test]
fn fibonacci_starts_with_0_1_1_2() {
    let first: Vec<u64> = Fibonacci::new().take(10).collect();
    assert_eq!(first, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
}

#[test]
fn fibonacci_ends_before_it_overflows() {
    // At most 200: a generator that never ends fails here instead of
    // running for ever.
    let all: Vec<u64> = Fibonacci::new().take(200).collect();
    assert_eq!(all.len(), 94, "F(0) to F(93) fit in a u64, F(94) does not");
    assert_eq!(all.last(), Some(&12_200_160_415_121_876_738));
    let mut finished = Fibonacci::new();
    finished.by_ref().take(200).for_each(drop);
    let after: Vec<Option<u64>> = (0..3).map(|_| finished.next()).collect();
    assert_eq!(
        after,
        [None, None, None],
        "a finished generator stays finished: it does not start over"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn each_number_is_the_sum_of_the_two_before(skip in 0usize..90) {
        let three: Vec<u64> = Fibonacci::new().skip(skip).take(3).collect();
        prop_assert_eq!(three[2], three[0] + three[1]);
    }
}

#[test]
fn tokens_come_one_at_a_time() {
    let mut tokens = Tokens::new("total = 42;");
    assert_eq!(
        tokens.rest(),
        "total = 42;",
        "nothing is scanned before the first next()"
    );
    assert_eq!(tokens.next(), Some(Token::Word("total")));
    assert_eq!(tokens.rest(), " = 42;", "next() scans one token and stops");
    assert_eq!(tokens.next(), Some(Token::Symbol('=')));
    assert_eq!(tokens.rest(), " 42;");
    assert_eq!(tokens.next(), Some(Token::Number("42")));
    assert_eq!(tokens.next(), Some(Token::Symbol(';')));
    assert_eq!(tokens.rest(), "");
    assert_eq!(tokens.next(), None);
}

#[test]
fn tokenizer_reads_a_line_of_code() {
    let line = "for i_2 in range(10):\n    print(i_2*3)  # ünïcode";
    let text: Vec<String> = Tokens::new(line).map(|t| format!("{t:?}")).collect();
    snapshot_settings().bind(|| insta::assert_snapshot!("tokens", text.join("\n")));
}

/// Any Unicode white space separates tokens; a number is ASCII digits
/// only; a symbol may take several bytes.
#[test]
fn tokens_of_any_script() {
    let input = "x\u{a0}\u{2192}\u{3000}\u{20ac} \u{b2}\u{663} 7 \u{e9}t\u{e9}_2";
    let tokens: Vec<Token> = Tokens::new(input).collect();
    assert_eq!(
        tokens,
        [
            Token::Word("x"),
            Token::Symbol('\u{2192}'),
            Token::Symbol('\u{20ac}'),
            Token::Symbol('\u{b2}'),
            Token::Symbol('\u{663}'),
            Token::Number("7"),
            Token::Word("\u{e9}t\u{e9}_2"),
        ],
        "tokens of {input:?}"
    );
}

/// A token as text, to build inputs from.
fn token_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_\u{e9}\u{3a3}][a-zA-Z0-9_\u{e9}\u{3a3}]{0,6}",
        "[0-9]{1,6}",
        "[-+*/=<>(){};:,.#\u{2192}\u{20ac}\u{b7}]",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn tokens_split_on_white_space(words in prop::collection::vec(token_text(), 0..20),
                                   gaps in prop::collection::vec("[ \t\n\u{a0}\u{3000}]{1,3}", 20)) {
        let mut input = String::new();
        for (word, gap) in words.iter().zip(&gaps) {
            input.push_str(gap);
            input.push_str(word);
        }
        let found: Vec<String> = Tokens::new(&input)
            .map(|t| match t {
                Token::Word(w) | Token::Number(w) => w.to_string(),
                Token::Symbol(c) => c.to_string(),
            })
            .collect();
        prop_assert_eq!(found, words);
    }
}
