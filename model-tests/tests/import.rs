//! Property test of `import_json_lines`: random mixes of valid lines (components in any
//! order, sparse ones or not), lines that must be refused (unknown names, wrong value
//! types, sets matching no archetype, a name twice, a component that is not
//! `Deserialize`, truncated JSON, other JSON values, random text, invalid UTF-8) and
//! blank lines. The world must hold exactly the accepted records, each with exactly its
//! line's values; every other non-blank line is rejected with its line number, and
//! nothing partial is ever spawned.
//!
//! `METRONOME_PROPTEST_CASES` sets the number of cases (default 256).

use metronome::prelude::*;
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Component, Deserialize, Clone, Debug, PartialEq)]
pub struct A(pub u32);
#[derive(Component, Deserialize, Clone, Debug, PartialEq)]
pub struct B(pub String);
#[derive(Component, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct P {
    pub x: i32,
    pub y: i32,
}
#[derive(Component, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct S(pub u8);
/// Not `Deserialize`: naming it in a line is refused.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct N(pub u8);

#[world(
    archetypes(OnlyA = (A), Ab = (A, B), Pb = (P, B), OnlyN = (N)),
    sparse(S),
    executor = sequential,
)]
pub struct Store;

/// The components of a valid line.
#[derive(Clone, Debug)]
struct Valid {
    a: Option<u32>,
    b: Option<String>,
    p: Option<(i32, i32)>,
    s: Option<u8>,
    /// Rotation of the keys: the order of a line's members never matters.
    rotate: usize,
}

impl Valid {
    fn members(&self) -> Vec<String> {
        let mut m = Vec::new();
        if let Some(a) = self.a {
            m.push(format!("\"A\":{a}"));
        }
        if let Some(b) = &self.b {
            m.push(format!("\"B\":{}", serde_json::to_string(b).unwrap()));
        }
        if let Some((x, y)) = self.p {
            m.push(format!("\"P\":{{\"y\":{y},\"x\":{x}}}"));
        }
        if let Some(s) = self.s {
            m.push(format!("\"S\":{s}"));
        }
        let k = self.rotate % m.len();
        m.rotate_left(k);
        m
    }

    fn json(&self) -> String {
        format!("{{{}}}", self.members().join(","))
    }
}

#[derive(Clone, Debug)]
enum Line {
    Valid(Valid),
    /// A valid line plus a member naming no component.
    UnknownName(Valid),
    /// `A` given a string.
    WrongType,
    /// `A` and `P`: no archetype.
    NoArchetype(u32, i32),
    /// `A` twice.
    Twice(u32, u32),
    /// `N`, which is not `Deserialize`.
    NotDeserialize(u8),
    /// A strict prefix of a valid line.
    Truncated(Valid, usize),
    /// Another JSON value than an object.
    NotObject(u8),
    /// Random printable text (not blank).
    Text(String),
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// Whitespace only: skipped, neither spawned nor rejected.
    Blank(usize),
}

impl Line {
    fn bytes(&self) -> Vec<u8> {
        let text = match self {
            Line::Valid(v) => v.json(),
            Line::UnknownName(v) => {
                let mut m = v.members();
                m.insert(v.rotate % (m.len() + 1), "\"Mana\":3".into());
                format!("{{{}}}", m.join(","))
            }
            Line::WrongType => r#"{"A":"five","B":"b"}"#.into(),
            Line::NoArchetype(a, x) => format!("{{\"A\":{a},\"P\":{{\"x\":{x},\"y\":0}}}}"),
            Line::Twice(a, b) => format!("{{\"A\":{a},\"A\":{b}}}"),
            Line::NotDeserialize(n) => format!("{{\"N\":{n}}}"),
            Line::Truncated(v, cut) => {
                // Bytes: a cut may split a character (then the line is not UTF-8 either).
                let json = v.json().into_bytes();
                return json[..1 + cut % (json.len() - 1)].to_vec();
            }
            Line::NotObject(k) => ["[1,2]", "5", "\"A\"", "null", "true"][*k as usize % 5].into(),
            Line::Text(t) => t.clone(),
            Line::NotUtf8 => return vec![b'{', 0xff, 0xfe, b'}'],
            Line::Blank(n) => " ".repeat(*n),
        };
        text.into_bytes()
    }

    /// `Some(true)`: spawned; `Some(false)`: rejected; `None`: skipped.
    fn accepted(&self) -> Option<bool> {
        match self {
            Line::Valid(_) => Some(true),
            Line::Blank(_) => None,
            _ => Some(false),
        }
    }
}

fn valid() -> impl Strategy<Value = Valid> {
    let text = "[a-z\"\\\\ é]{0,8}";
    prop_oneof![
        (any::<u32>(), any::<Option<u8>>(), any::<usize>()).prop_map(|(a, s, rotate)| Valid {
            a: Some(a),
            b: None,
            p: None,
            s,
            rotate
        }),
        (any::<u32>(), text, any::<Option<u8>>(), any::<usize>()).prop_map(|(a, b, s, rotate)| {
            Valid {
                a: Some(a),
                b: Some(b),
                p: None,
                s,
                rotate,
            }
        }),
        (
            any::<(i32, i32)>(),
            text,
            any::<Option<u8>>(),
            any::<usize>()
        )
            .prop_map(|(p, b, s, rotate)| Valid {
                a: None,
                b: Some(b),
                p: Some(p),
                s,
                rotate
            }),
    ]
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        6 => valid().prop_map(Line::Valid),
        1 => valid().prop_map(Line::UnknownName),
        1 => Just(Line::WrongType),
        1 => any::<(u32, i32)>().prop_map(|(a, x)| Line::NoArchetype(a, x)),
        1 => any::<(u32, u32)>().prop_map(|(a, b)| Line::Twice(a, b)),
        1 => any::<u8>().prop_map(Line::NotDeserialize),
        1 => (valid(), any::<usize>()).prop_map(|(v, cut)| Line::Truncated(v, cut)),
        1 => any::<u8>().prop_map(Line::NotObject),
        1 => "[!-~][ -~]{0,30}".prop_map(Line::Text),
        1 => Just(Line::NotUtf8),
        1 => (0usize..4).prop_map(Line::Blank),
    ]
}

fn cases() -> u32 {
    std::env::var("METRONOME_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_world_holds_exactly_the_accepted_lines(lines in proptest::collection::vec(line(), 0..40)) {
        let mut input = Vec::new();
        for line in &lines {
            input.extend(line.bytes());
            input.push(b'\n');
        }
        let mut store = Store::new();
        let report = store.import_json_lines(&input[..]);

        let expected_rejected: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.accepted() == Some(false))
            .map(|(i, _)| i + 1)
            .collect();
        let rejected: Vec<usize> = report.rejected.iter().map(|(n, _)| *n).collect();
        prop_assert_eq!(rejected, expected_rejected, "{:?}", report.rejected);
        let valid: Vec<&Valid> = lines
            .iter()
            .filter_map(|l| match l {
                Line::Valid(v) => Some(v),
                _ => None,
            })
            .collect();
        prop_assert_eq!(report.spawned.len(), valid.len());
        // Exactly the accepted records: nothing partial from a rejected line.
        prop_assert_eq!(store.len(), valid.len());
        prop_assert_eq!(store.query::<&S>().len(), valid.iter().filter(|v| v.s.is_some()).count());
        for (&e, v) in report.spawned.iter().zip(&valid) {
            prop_assert_eq!(store.get::<A>(e).map(|a| a.0), v.a);
            prop_assert_eq!(store.get::<B>(e).map(|b| b.0.clone()), v.b.clone());
            prop_assert_eq!(store.get::<P>(e).map(|p| (p.x, p.y)), v.p);
            prop_assert_eq!(store.get::<S>(e).map(|s| s.0), v.s);
            prop_assert!(!store.has::<N>(e));
        }
        for ((_, error), line) in report
            .rejected
            .iter()
            .zip(lines.iter().filter(|l| l.accepted() == Some(false)))
        {
            let ok = match line {
                Line::UnknownName(_) => error == &EcsError::UnknownComponentName { name: "Mana".into() },
                Line::WrongType => matches!(error, EcsError::InvalidValue { component: "A", .. }),
                Line::NotDeserialize(_) => matches!(error, EcsError::InvalidValue { component: "N", .. }),
                Line::NoArchetype(..) => matches!(error, EcsError::NoArchetypeForRecord { .. }),
                Line::Twice(..) | Line::Truncated(..) | Line::NotObject(_) | Line::NotUtf8 => {
                    matches!(error, EcsError::MalformedRecord { .. })
                }
                Line::Text(_) => true,
                Line::Valid(_) | Line::Blank(_) => false,
            };
            prop_assert!(ok, "line {:?} rejected with {:?}", line, error);
        }
    }
}

/// One line of each kind, by hand: the reasons name the problem.
#[test]
fn rejections_say_why() {
    let input = "{\"A\":1}\n{\"A\":\"x\"}\n\n{\"Mana\":1}\n{\"A\":1,\"P\":{\"x\":0,\"y\":0}}\nnot json\n{\"P\":{\"x\":1,\"y\":2},\"B\":\"b\",\"S\":7}\n";
    let mut store = Store::new();
    let report = store.import_json_lines(input.as_bytes());
    assert_eq!(report.spawned.len(), 2);
    let reasons: Vec<(usize, String)> = report
        .rejected
        .iter()
        .map(|(n, e)| (*n, e.to_string()))
        .collect();
    assert_eq!(reasons[0].0, 2);
    assert!(
        reasons[0]
            .1
            .starts_with("invalid value for `A`: invalid type: string \"x\""),
        "{}",
        reasons[0].1
    );
    assert_eq!(
        reasons[1],
        (4, "`Mana` names no component of this world".to_string())
    );
    assert_eq!(
        reasons[2],
        (
            5,
            "no archetype has exactly the components [`A`, `P`] (sparse components aside)"
                .to_string()
        )
    );
    assert_eq!(reasons[3].0, 6);
    assert!(reasons[3].1.starts_with("malformed record: "));
    let e = report.spawned[1];
    assert_eq!(store.get::<P>(e), Some(&P { x: 1, y: 2 }));
    assert_eq!(store.get::<S>(e), Some(&S(7)));
}
