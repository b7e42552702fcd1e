//! Mutants: a deterministic generator, the files mutants are made from,
//! and the mutations (each says what it did, so a mutant can be described
//! and rebuilt from its number and the seed).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::IN_PROCESS_DEPTH;
use crate::support;

/// A deterministic generator (SplitMix64).
#[derive(Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a mutated file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A feature spec, next to the bundled project file.
    Feature,
    /// The project file, next to one bundled feature spec.
    Project,
    /// A plain rule file or `PrometheusRule` manifest.
    Rules,
}

/// One file mutants are made from.
pub(super) struct Seed {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) text: Vec<u8>,
}

/// Everything mutants are made from.
pub(super) struct Corpus {
    pub(super) seed: u64,
    pub(super) seeds: Vec<Seed>,
    pub(super) project: String,
    pub(super) features: Vec<usize>,
    pub(super) projects: Vec<usize>,
    pub(super) rules: Vec<usize>,
    /// The first threshold of each bundled feature, as a feature spec.
    pub(super) companions: Vec<Vec<u8>>,
}

impl Corpus {
    pub(super) fn load(seed: u64) -> Corpus {
        let root = support::root();
        let mut seeds = Vec::new();
        for path in files(&root.join("specs")) {
            let kind = if path.file_name().unwrap() == "promspec.yaml" {
                Kind::Project
            } else {
                Kind::Feature
            };
            seeds.push(Seed {
                name: relative(&path),
                kind,
                text: std::fs::read(&path).unwrap(),
            });
        }
        for path in files(&root.join("tests/corpus/rules")) {
            seeds.push(Seed {
                name: relative(&path),
                kind: Kind::Rules,
                text: std::fs::read(&path).unwrap(),
            });
        }
        let of =
            |k: Kind| -> Vec<usize> { (0..seeds.len()).filter(|&i| seeds[i].kind == k).collect() };
        let (features, projects, rules) = (of(Kind::Feature), of(Kind::Project), of(Kind::Rules));
        assert!(features.len() >= 3 && projects.len() == 1 && rules.len() >= 20);
        let companions = features
            .iter()
            .map(|&i| {
                excerpt_items(&seeds[i].text, Kind::Feature, 0, 1)
                    .unwrap_or_else(|| seeds[i].text.clone())
            })
            .collect();
        Corpus {
            companions,
            seed,
            project: String::from_utf8(seeds[projects[0]].text.clone()).unwrap(),
            seeds,
            features,
            projects,
            rules,
        }
    }

    /// Mutant number `index`: the same for the same seed, whatever ran before.
    pub(super) fn mutant(&self, index: usize) -> Mutant {
        let mut rng = Rng::new(self.seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        rng.next();
        let roll = rng.below(100);
        let (kind, pool) = match roll {
            0..25 => (Kind::Feature, &self.features),
            25..33 => (Kind::Project, &self.projects),
            _ => (Kind::Rules, &self.rules),
        };
        let seed = *rng.pick(pool);
        let mut bytes = self.seeds[seed].text.clone();
        let mut ops = Vec::new();
        ops.extend(excerpt(&mut rng, &mut bytes, kind));
        let mut depth = 0;
        for _ in 0..1 + rng.below(3) {
            let op = *rng.pick(MUTATORS);
            let (what, d) = op(&mut rng, &mut bytes, self);
            depth = depth.max(d);
            ops.push(what);
        }
        let companion = rng.below(self.companions.len());
        Mutant {
            index,
            kind,
            base: self.seeds[seed].name.clone(),
            ops,
            bytes,
            depth,
            companion,
        }
    }
}

pub(super) fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out.sort();
    out
}

pub(super) fn relative(path: &Path) -> String {
    path.strip_prefix(support::root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// One mutated file.
#[derive(Clone)]
pub(super) struct Mutant {
    pub(super) index: usize,
    pub(super) kind: Kind,
    pub(super) base: String,
    pub(super) ops: Vec<String>,
    pub(super) bytes: Vec<u8>,
    /// The deepest nesting a mutation made (0: none).
    pub(super) depth: usize,
    /// The feature a mutated project file is loaded with (an index into
    /// [`Corpus::companions`]).
    pub(super) companion: usize,
}

impl Mutant {
    pub(super) fn describe(&self) -> String {
        format!(
            "mutant #{} of {} ({:?}) made by: {}",
            self.index,
            self.base,
            self.kind,
            self.ops.join("; ")
        )
    }

    pub(super) fn text(&self) -> String {
        self.text_of(&self.bytes)
    }

    pub(super) fn text_of(&self, bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    pub(super) fn in_process(&self) -> bool {
        self.depth <= IN_PROCESS_DEPTH
    }

    /// The project file and the feature spec of a spec mutant.
    pub(super) fn spec_files(&self, corpus: &Corpus) -> (Vec<u8>, Vec<u8>) {
        match self.kind {
            Kind::Feature => (corpus.project.as_bytes().to_vec(), self.bytes.clone()),
            Kind::Project => (
                self.bytes.clone(),
                corpus.companions[self.companion].clone(),
            ),
            Kind::Rules => unreachable!("not a spec"),
        }
    }
}

pub(super) type Mutator = fn(&mut Rng, &mut Vec<u8>, &Corpus) -> (String, usize);

pub(super) const MUTATORS: &[Mutator] = &[
    flip_bit,
    set_byte,
    insert_token,
    delete,
    delete,
    duplicate,
    swap_lines,
    splice,
    splice,
    indent,
    indent,
    number,
    number,
    number,
    duration,
    duration,
    nest,
    nest,
    unicode,
    unicode,
    quote,
    quote,
    structure,
    structure,
    generated_mark,
];

/// Bytes that mean something to YAML, PromQL or Go templates.
pub(super) const BYTES: &[u8] = b"\"'\\{}[]():#&*!|>-,? \t\n\r\0%@`$=~<";

/// Tokens that mean something to YAML, PromQL or Go templates.
pub(super) const TOKENS: &[&str] = &[
    "\"",
    "'",
    "\\",
    "\\\"",
    "''",
    "{{",
    "}}",
    "{{ $labels.",
    "{{ .Value | humanize }}",
    "{{ printf \"%.2f\" $value }}",
    "{{ end }}",
    "{{- if",
    ": ",
    " #",
    "- ",
    "? ",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "!<tag:yaml.org,2002:int> ",
    "|-\n",
    ">+2\n",
    "\n---\n",
    "\n...\n",
    "%YAML 1.1\n",
    "\t",
    "\r",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "\0",
    "[",
    "]",
    "{",
    "}",
    "=~\"(\"",
    "{__name__=~\".+\"}",
    "@ end()",
    " offset -5m",
    "[5m:]",
    " unless on() ",
    " bool ",
    "${",
    "%s%n%x",
];

/// Numbers that break conversions.
pub(super) const NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "2e19",
    "1.8e19",
    "1e20",
    "1e300",
    "1e-400",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "65536",
    "Inf",
    "-Inf",
    "+Inf",
    "NaN",
    ".inf",
    "-.inf",
    ".nan",
    "-0",
    "0x7fffffffffffffff",
    "0o777",
    "1_000",
    "0.0000000000000000000001",
    "1e308",
    "99999999999999999999999999999999999999",
];

/// Durations that break conversions.
pub(super) const DURATIONS: &[&str] = &[
    "1e400s",
    "2e19s",
    "99999999999999999999y",
    "106751991167301d",
    "9223372036854775807ms",
    "292y",
    "18446744073709551616s",
    "1y1y",
    "5m5m",
    "0s",
    "-5m",
    "Infs",
    "NaNm",
    "1e20",
    "1e400",
    "2e19",
    "Inf",
    "0x10m",
    "5μs",
];

pub(super) fn lines(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push(start..bytes.len());
    }
    out
}

/// A position on a character boundary (for valid UTF-8; any byte otherwise).
pub(super) fn boundary(rng: &mut Rng, bytes: &[u8]) -> usize {
    let mut at = rng.below(bytes.len() + 1);
    while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

/// The lines that hold `key: value` with a value on the same line: (line,
/// start of the value, end of the value).
pub(super) fn values(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for (n, l) in lines(bytes).into_iter().enumerate() {
        let line = &bytes[l.clone()];
        let Some(colon) = line.windows(2).position(|w| w == b": ") else {
            continue;
        };
        let start = l.start + colon + 2;
        let mut end = l.end;
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        if end > start {
            out.push((n, start, end));
        }
    }
    out
}

pub(super) fn flip_bit(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    if bytes.is_empty() {
        bytes.push(b'x');
    }
    let at = rng.below(bytes.len());
    let bit = rng.below(8);
    bytes[at] ^= 1 << bit;
    (format!("flip bit {bit} of byte {at}"), 0)
}

pub(super) fn set_byte(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let at = boundary(rng, bytes);
    let b = *rng.pick(BYTES);
    if at < bytes.len() && bytes[at] < 0x80 {
        bytes[at] = b;
    } else {
        bytes.insert(at, b);
    }
    (format!("byte {at} := {:?}", b as char), 0)
}

pub(super) fn insert_token(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let at = boundary(rng, bytes);
    let token = *rng.pick(TOKENS);
    bytes.splice(at..at, token.bytes());
    (format!("insert {token:?} at {at}"), 0)
}

pub(super) fn delete(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    if rng.chance(50) && !ls.is_empty() {
        let first = rng.below(ls.len());
        let last = (first + rng.below(4)).min(ls.len() - 1);
        bytes.drain(ls[first].start..ls[last].end);
        (format!("delete lines {}..={}", first + 1, last + 1), 0)
    } else {
        let at = rng.below(bytes.len() + 1);
        let len = (1 + rng.below(64)).min(bytes.len() - at);
        bytes.drain(at..at + len);
        (format!("delete {len} bytes at {at}"), 0)
    }
}

pub(super) fn duplicate(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    if ls.is_empty() {
        return ("duplicate nothing".into(), 0);
    }
    let first = rng.below(ls.len());
    let last = (first + rng.below(8)).min(ls.len() - 1);
    let mut piece = bytes[ls[first].start..ls[last].end].to_vec();
    if piece.last() != Some(&b'\n') {
        piece.push(b'\n');
    }
    let to = if rng.chance(50) {
        ls[last].end
    } else {
        ls[rng.below(ls.len())].start
    };
    let times = if rng.chance(10) { 50 } else { 1 };
    for _ in 0..times {
        bytes.splice(to..to, piece.iter().copied());
    }
    (
        format!(
            "duplicate lines {}..={} {times}x at byte {to}",
            first + 1,
            last + 1
        ),
        0,
    )
}

pub(super) fn swap_lines(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    if ls.len() < 2 {
        return ("swap nothing".into(), 0);
    }
    let (a, b) = (rng.below(ls.len()), rng.below(ls.len()));
    let (a, b) = (a.min(b), a.max(b));
    let mut out = Vec::with_capacity(bytes.len() + 1);
    for (n, l) in ls.iter().enumerate() {
        let l = match n {
            _ if n == a => &ls[b],
            _ if n == b => &ls[a],
            _ => l,
        };
        out.extend_from_slice(&bytes[l.clone()]);
        if out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
    }
    *bytes = out;
    (format!("swap lines {} and {}", a + 1, b + 1), 0)
}

pub(super) fn splice(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &Corpus) -> (String, usize) {
    let donor = rng.pick(&corpus.seeds);
    let theirs = lines(&donor.text);
    let ours = lines(bytes);
    if theirs.is_empty() {
        return ("splice nothing".into(), 0);
    }
    let first = rng.below(theirs.len());
    let last = (first + rng.below(20)).min(theirs.len() - 1);
    let piece = &donor.text[theirs[first].start..theirs[last].end];
    let at = ours
        .get(rng.below(ours.len() + 1))
        .map_or(bytes.len(), |l| l.start);
    if rng.chance(30) {
        // Our head, their tail.
        bytes.truncate(at);
        bytes.extend_from_slice(&donor.text[theirs[first].start..]);
        (
            format!(
                "splice: keep bytes ..{at}, then {} from line {}",
                donor.name,
                first + 1
            ),
            0,
        )
    } else {
        bytes.splice(at..at, piece.iter().copied());
        (
            format!(
                "splice: insert {} lines {}..={} at byte {at}",
                donor.name,
                first + 1,
                last + 1
            ),
            0,
        )
    }
}

pub(super) fn indent(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    if ls.is_empty() {
        return ("indent nothing".into(), 0);
    }
    let first = rng.below(ls.len());
    let last = (first + rng.below(6)).min(ls.len() - 1);
    let change = *rng.pick(&["-4", "-2", "-1", "+1", "+2", "+4", "tab", "+100"]);
    let mut out = bytes[..ls[first].start].to_vec();
    for l in &ls[first..=last] {
        let line = &bytes[l.clone()];
        let spaces = line.iter().take_while(|b| **b == b' ').count();
        match change {
            "tab" => {
                out.push(b'\t');
                out.extend_from_slice(&line[spaces.min(2)..]);
            }
            c if c.starts_with('-') => {
                let n: usize = c[1..].parse().unwrap();
                out.extend_from_slice(&line[spaces.min(n)..]);
            }
            c => {
                let n: usize = c[1..].parse().unwrap();
                out.extend(std::iter::repeat_n(b' ', n));
                out.extend_from_slice(line);
            }
        }
    }
    out.extend_from_slice(&bytes[ls[last].end..]);
    *bytes = out;
    (
        format!("indent lines {}..={} by {change}", first + 1, last + 1),
        0,
    )
}

/// The numbers in `bytes`: digit runs with an optional fraction, exponent
/// and unit, not inside a word.
pub(super) fn numbers(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let word_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if bytes[i].is_ascii_digit() && !word_before {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

pub(super) fn number(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    replace_number(rng, bytes, NUMBERS, |r| {
        !r.is_empty() && r.iter().all(|b| !b.is_ascii_alphabetic() || *b == b'e')
    })
}

pub(super) fn duration(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    replace_number(rng, bytes, DURATIONS, |r| {
        r.last().is_some_and(|b| b.is_ascii_alphabetic())
    })
}

pub(super) fn replace_number(
    rng: &mut Rng,
    bytes: &mut Vec<u8>,
    with: &[&str],
    prefer: impl Fn(&[u8]) -> bool,
) -> (String, usize) {
    let all = numbers(bytes);
    let preferred: Vec<_> = all
        .iter()
        .filter(|r| prefer(&bytes[(*r).clone()]))
        .cloned()
        .collect();
    let pool = if preferred.is_empty() {
        &all
    } else {
        &preferred
    };
    let new = *rng.pick(with);
    if pool.is_empty() {
        let at = boundary(rng, bytes);
        bytes.splice(at..at, new.bytes());
        return (format!("insert {new} at {at}"), 0);
    }
    // Sometimes every occurrence, so that related values break together.
    let all_of_them = rng.chance(15);
    let chosen: Vec<_> = if all_of_them {
        pool.clone()
    } else {
        vec![rng.pick(pool).clone()]
    };
    let old = String::from_utf8_lossy(&bytes[chosen[0].clone()]).into_owned();
    for r in chosen.iter().rev() {
        bytes.splice(r.clone(), new.bytes());
    }
    (
        format!(
            "number {old:?} at {} := {new}{}",
            chosen[0].start,
            if all_of_them { " (every one)" } else { "" }
        ),
        0,
    )
}

pub(super) fn nest(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let depth = if rng.chance(85) {
        *rng.pick(&[5, 40, 100, 150])
    } else {
        *rng.pick(&[1_000, 3_000, 150_000])
    };
    // Deep PromQL only with cheap nodes: the deepest with parentheses.
    let (open, close): (&str, &str) = if depth > 3_000 {
        ("(", ")")
    } else {
        *rng.pick(&[
            ("(", ")"),
            ("abs(", ")"),
            ("sum(", ")"),
            ("-", ""),
            ("1 + ", ""),
            ("[", "]"),
            ("{a: ", "}"),
            ("{{ if 1 }}", "{{ end }}"),
        ])
    };
    let vs = values(bytes);
    let ls = lines(bytes);
    let queries: Vec<_> = vs
        .iter()
        .filter(|(n, _, _)| {
            let l = &ls[*n];
            let line = String::from_utf8_lossy(&bytes[l.clone()]);
            let key = line.trim_start().trim_start_matches("- ");
            [
                "expr:",
                "query:",
                "errors:",
                "total:",
                "summary:",
                "description:",
            ]
            .iter()
            .any(|k| key.starts_with(k))
        })
        .collect();
    let Some(&(n, start, end)) = (if queries.is_empty() || rng.chance(20) {
        if vs.is_empty() {
            None
        } else {
            Some(rng.pick(&vs))
        }
    } else {
        Some(*rng.pick(&queries))
    }) else {
        return ("nest nothing".into(), 0);
    };
    let mut value = open.repeat(depth).into_bytes();
    value.extend_from_slice(&bytes[start..end]);
    value.extend(close.repeat(depth).bytes());
    bytes.splice(start..end, value);
    (
        format!("nest({open} x {depth}) the value on line {}", n + 1),
        depth,
    )
}

pub(super) fn unicode(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let times = *rng.pick(&[1, 4, 30, 3_000]);
    let (name, piece) = *rng.pick(&[
        ("CJK", "日本語"),
        ("emoji ZWJ", "🏳️‍🌈"),
        ("RTL override", "\u{202e}abc"),
        ("combining", "e\u{301}\u{302}"),
        ("case-changing", "İßﬁ"),
        ("zero-width", "\u{200b}\u{feff}"),
        ("NEL", "a\u{85}b"),
        ("line separator", "a\u{2028}b"),
        ("control", "\u{1}\u{1b}[31m"),
        ("wide ASCII", "x"),
    ]);
    // A line wider than 65,535 columns, or the piece repeated.
    let times = if name == "wide ASCII" { 70_000 } else { times };
    let value = piece.repeat(times);
    let vs = values(bytes);
    let ls = lines(bytes);
    let slug = rng.chance(25);
    let target = if slug {
        vs.iter().find(|(n, _, _)| {
            let l = &ls[*n];
            bytes[l.clone()].starts_with(b"feature:")
        })
    } else {
        None
    }
    .or_else(|| (!vs.is_empty()).then(|| rng.pick(&vs)));
    match target {
        Some(&(n, start, end)) => {
            let keep = if rng.chance(50) {
                &bytes[start..end]
            } else {
                &[][..]
            };
            let mut new = keep.to_vec();
            new.extend_from_slice(value.as_bytes());
            bytes.splice(start..end, new);
            (format!("value on line {} += {name} x {times}", n + 1), 0)
        }
        None => {
            let at = boundary(rng, bytes);
            bytes.splice(at..at, value.bytes());
            (format!("insert {name} x {times} at {at}"), 0)
        }
    }
}

pub(super) fn quote(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let vs = values(bytes);
    if vs.is_empty() {
        return insert_token(rng, bytes, &Corpus::empty());
    }
    let &(n, start, end) = rng.pick(&vs);
    let value = String::from_utf8_lossy(&bytes[start..end]).into_owned();
    let escapes = [
        "\\",
        "\\\"",
        "\\x00",
        "\\x",
        "\\u0000",
        "\\ud800",
        "\\U0010FFFF",
        "\\U00110000",
        "\\N",
        "\\_",
        "\\L\\P",
        "\\e",
        "\\q",
        "\\\n",
        "\\t\\r\\n",
    ];
    let (what, new) = match rng.below(7) {
        0 => (
            "double-quote",
            format!("\"{}\"", value.replace('"', "\\\"")),
        ),
        1 => ("single-quote", format!("'{}'", value.replace('\'', "''"))),
        2 => ("open a double quote", format!("\"{value}")),
        3 => ("open a single quote", format!("'{value}")),
        4 => {
            let e = rng.pick(&escapes);
            let mut v = value.clone();
            let at = (0..=v.len())
                .filter(|&i| v.is_char_boundary(i))
                .nth(rng.below(v.chars().count() + 1))
                .unwrap_or(v.len());
            v.insert_str(at, e);
            ("escape in double quotes", format!("\"{v}\""))
        }
        5 => {
            let e = rng.pick(&escapes);
            ("many escapes", format!("\"{}{value}\"", e.repeat(2_000)))
        }
        _ => (
            "block scalar",
            format!(
                "{}\n{}{value}",
                rng.pick(&["|", "|-", ">", ">+", "|2"]),
                " ".repeat(1 + rng.below(12))
            ),
        ),
    };
    bytes.splice(start..end, new.bytes());
    (format!("{what} the value on line {}", n + 1), 0)
}

pub(super) fn structure(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    let at = ls
        .get(rng.below(ls.len() + 1))
        .map_or(bytes.len(), |l| l.start);
    let line_no = ls.iter().take_while(|l| l.start < at).count() + 1;
    let vs = values(bytes);
    match rng.below(12) {
        0 => {
            bytes.splice(at..at, b"---\n".iter().copied());
            (format!("document separator before line {line_no}"), 0)
        }
        1 => {
            bytes.splice(0..0, b"%YAML 1.1\n---\n".iter().copied());
            ("YAML 1.1 directive".into(), 0)
        }
        2 if vs.len() >= 2 => {
            // An anchor on one value, an alias of it in another.
            let (a, b) = (*rng.pick(&vs), *rng.pick(&vs));
            let (first, second) = if a.1 <= b.1 { (a, b) } else { (b, a) };
            bytes.splice(second.1..second.2, b"*a".iter().copied());
            if first.1 != second.1 {
                bytes.splice(first.1..first.1, b"&a ".iter().copied());
            }
            (
                format!("anchor line {}, alias line {}", first.0 + 1, second.0 + 1),
                0,
            )
        }
        3 if !vs.is_empty() => {
            let &(n, start, end) = rng.pick(&vs);
            let tag = *rng.pick(&[
                "!!binary ",
                "!!int ",
                "!!float ",
                "!!map ",
                "!custom ",
                "!!null ",
            ]);
            let _ = end;
            bytes.splice(start..start, tag.bytes());
            (format!("tag {tag:?} on line {}", n + 1), 0)
        }
        4 if !ls.is_empty() => {
            // Turn a line into a sequence item.
            let n = rng.below(ls.len());
            let spaces = bytes[ls[n].clone()]
                .iter()
                .take_while(|b| **b == b' ')
                .count();
            bytes.splice(
                ls[n].start + spaces..ls[n].start + spaces,
                b"- ".iter().copied(),
            );
            (format!("sequence item on line {}", n + 1), 0)
        }
        5 if !vs.is_empty() => {
            // A key line written twice.
            let &(n, _, _) = rng.pick(&vs);
            let line = bytes[ls[n].clone()].to_vec();
            bytes.splice(ls[n].end..ls[n].end, line);
            (format!("duplicate key on line {}", n + 1), 0)
        }
        6 if !vs.is_empty() => {
            let &(n, start, end) = rng.pick(&vs);
            let value = bytes[start..end].to_vec();
            let mut flow = b"{k: ".to_vec();
            flow.extend_from_slice(&value);
            flow.extend_from_slice(b", k: [1, 2], ? x}");
            bytes.splice(start..end, flow);
            (format!("flow mapping on line {}", n + 1), 0)
        }
        7 => {
            let mut out = Vec::with_capacity(bytes.len() * 2);
            for b in bytes.iter() {
                if *b == b'\n' {
                    out.push(b'\r');
                }
                out.push(*b);
            }
            *bytes = out;
            ("CRLF line ends".into(), 0)
        }
        8 => {
            bytes.splice(0..0, "\u{feff}".bytes());
            ("byte order mark".into(), 0)
        }
        9 => {
            let cut = rng.below(bytes.len() + 1);
            bytes.truncate(cut);
            (format!("truncate at {cut}"), 0)
        }
        10 => {
            // A merge key from an alias of a mapping.
            bytes.splice(0..0, b"x: &m {a: 1}\n".iter().copied());
            let ls = lines(bytes);
            let n = 1 + rng.below(ls.len().max(2) - 1);
            let at = ls.get(n).map_or(bytes.len(), |l| l.start);
            let spaces = bytes[at..].iter().take_while(|b| **b == b' ').count();
            let mut merge = vec![b' '; spaces];
            merge.extend_from_slice(b"<<: *m\n");
            bytes.splice(at..at, merge);
            (format!("merge key before line {}", n + 1), 0)
        }
        _ => {
            // A billion laughs, small.
            let mut bomb = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for i in 1..8 {
                let p = i - 1;
                let _ = writeln!(
                    bomb,
                    "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]"
                );
            }
            bytes.splice(0..0, bomb.bytes());
            ("alias bomb at the top".into(), 0)
        }
    }
}

pub(super) fn generated_mark(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    let at = if rng.chance(50) {
        0
    } else {
        ls.get(rng.below(ls.len() + 1))
            .map_or(bytes.len(), |l| l.start)
    };
    bytes.splice(at..at, b"# generated by promspec\n".iter().copied());
    (format!("`# generated by promspec` at byte {at}"), 0)
}

impl Corpus {
    /// A corpus for mutators that need none.
    pub(super) fn empty() -> Corpus {
        Corpus {
            seed: 0,
            seeds: Vec::new(),
            project: String::new(),
            features: Vec::new(),
            projects: Vec::new(),
            rules: Vec::new(),
            companions: Vec::new(),
        }
    }
}

/// Where the items of a file start: rules of a rule file, thresholds of a
/// spec.
pub(super) fn item_starts(bytes: &[u8], kind: Kind) -> Vec<usize> {
    let ls = lines(bytes);
    (0..ls.len())
        .filter(|&n| {
            let t = bytes[ls[n].clone()].trim_ascii_start();
            match kind {
                Kind::Rules => t.starts_with(b"- alert:") || t.starts_with(b"- record:"),
                _ => t.starts_with(b"- id:"),
            }
        })
        .collect()
}

/// The file with only `count` consecutive items from the `first`: its head
/// (the lines up to the first item), those items, and what follows the
/// items' block (the next line that is not indented).
pub(super) fn excerpt_items(
    bytes: &[u8],
    kind: Kind,
    first: usize,
    count: usize,
) -> Option<Vec<u8>> {
    let ls = lines(bytes);
    let starts = item_starts(bytes, kind);
    if starts.len() < 2 || first >= starts.len() {
        return None;
    }
    let last = *starts.last().unwrap();
    let tail = (last + 1..ls.len())
        .find(|&n| {
            let line = &bytes[ls[n].clone()];
            line.first().is_some_and(|b| !b" \t\r\n#".contains(b))
        })
        .map_or(bytes.len(), |n| ls[n].start);
    let end = starts.get(first + count).map_or(tail, |&n| ls[n].start);
    let mut out = bytes[..ls[starts[0]].start].to_vec();
    out.extend_from_slice(&bytes[ls[starts[first]].start..end]);
    out.extend_from_slice(&bytes[tail..]);
    Some(out)
}

/// Most mutants start from a few items of their file: rules and specs are
/// long, and every item costs time in the linter and the compiler.
pub(super) fn excerpt(rng: &mut Rng, bytes: &mut Vec<u8>, kind: Kind) -> Option<String> {
    let whole = match kind {
        Kind::Project => true,
        Kind::Feature => rng.chance(5),
        Kind::Rules => bytes.len() < 32_000 && rng.chance(1),
    };
    if whole {
        return None;
    }
    let items = item_starts(bytes, kind).len();
    let first = rng.below(items);
    let count = 1 + rng.below(if kind == Kind::Rules { 6 } else { 3 });
    let cut = excerpt_items(bytes, kind, first, count)?;
    *bytes = cut;
    Some(format!(
        "items {}..={} of {items}",
        first + 1,
        (first + count).min(items)
    ))
}
