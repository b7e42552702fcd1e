//! Bounded mutation run: no mutated spec or rule file makes promspec panic,
//! abort, hang or exit with a code other than 0, 1 or 2, and `build` changes
//! nothing outside its output directory.
//!
//! Mutants are made from the bundled specs (`specs/`) and the corpus rule
//! files (`tests/corpus/rules`) with a fixed seed: byte flips, deletions,
//! duplications, splices between files, YAML-structural edits, hostile
//! numbers and durations, deep nesting, long non-ASCII strings, quotes and
//! escapes. Every mutant runs in-process through the library (the spec
//! pipeline, the linter and every renderer, each call under
//! `catch_unwind`); a share of them also runs through the real binary:
//! `promspec lint` over batches of mutants (a failing batch is bisected down
//! to single mutants) and `promspec build` on a temporary project whose spec
//! directory is compared before and after. Mutants nested deeper than a
//! thread's stack would survive run through the binary only.
//!
//! `PROMSPEC_MUTANTS` (default 10,000) and `PROMSPEC_MUTATION_SEED` change
//! the volume and the seed; `PROMSPEC_MUTATION_MINIMIZE=1` also minimizes the
//! known open crashes. Failures are written to
//! `target/tmp/mutation/` with the command that reproduces them.
//!
//! The test `fuzz_corpus_replays` runs the committed fuzz corpus and every
//! crasher under `fuzz/artifacts/` through the fuzz targets' bodies.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, mpsc};
use std::time::{Duration, Instant};

use promspec::diag::render::{self, OutputFormat, RenderOptions};

use crate::support;

#[path = "../../fuzz/src/targets.rs"]
mod targets;

/// Crashes that are known and being fixed (issue 10): every substring of
/// an entry appears in the failure's signature (`panic: MESSAGE (at
/// LOCATION, in FIRST-NON-STD-FRAME)`, `signal N: ...`, `hang: ...`). A
/// mutant that fails only this way is counted and printed, not failed on.
///
/// KNOWN OPEN CRASHES: empty this list once the fixes are merged, so that a
/// crash that comes back fails the run again.
const KNOWN_OPEN: &[(&[&str], &str)] = &[
    (
        &["cannot convert float seconds to Duration", "in promql_parser"],
        "PromQL ranges and offsets out of range in lint (`x[1e400]`, `x offset Inf`)",
    ),
    (
        &["cannot convert float seconds to Duration", "in promspec::spec::units::humanize"],
        "humanizer on a `unit: seconds` level of 1e20",
    ),
    (&["has overflowed its stack"], "unbounded nesting depth"),
    (&["hang: no exit after 10 s (nested"], "quadratic time in nesting depth"),
    (&["hang: in-process run over 30 s (nested"], "quadratic time in nesting depth"),
    (
        &["is not a char boundary", "conventions.rs"],
        "slicing a non-ASCII slug inside a character",
    ),
    (
        &["Formatting argument out of range", "miette"],
        "miette: a finding past column 65,535 in the human format",
    ),
    (
        &["escaped literals always compile", "Matcher::any_of"],
        "NEW, not in issue 10: a 70,000-character slug makes the alertname matcher's regex too big",
    ),
];

/// The seed of the run (change with `PROMSPEC_MUTATION_SEED`).
const SEED: u64 = 0x7072_6f6d_7370_6563;

/// How long one promspec process may run.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How long one in-process run may take. It cannot be killed, so this ends
/// the whole run; it is longer than [`TIMEOUT`] because the machine is
/// shared and the binary's runs are the judge of hangs.
const IN_PROCESS_TIMEOUT: Duration = Duration::from_secs(30);

/// Worker threads (the machine the suite runs on has two cores).
const WORKERS: usize = 2;

/// Mutants per job: one job is one batch for `promspec lint`.
const BATCH: usize = 40;

/// Every how many jobs a batch also goes through `promspec lint`.
const LINT_EVERY: usize = 6;

/// Every how many spec mutants one also goes through `promspec build`.
const BUILD_EVERY: usize = 40;

/// Every how many spec mutants in-process also compile the unit tests (the
/// slowest target; `promspec build` always does) and render in every format.
const THOROUGH_EVERY: usize = 3;

/// Nesting depth at or below which a mutant also runs in-process.
const IN_PROCESS_DEPTH: usize = 150;

#[test]
fn mutants_never_crash_hang_or_touch_specs() {
    let count: usize = env_number("PROMSPEC_MUTANTS").unwrap_or(10_000);
    let seed = env_number("PROMSPEC_MUTATION_SEED").unwrap_or(SEED);
    let minimize_known = std::env::var_os("PROMSPEC_MUTATION_MINIMIZE").is_some();
    let hung = |f: &Failure| f.signature.starts_with("hang") && matches!(f.runner, Runner::InProcess);
    let corpus = Arc::new(Corpus::load(seed));
    quiet_panics();

    let started = Instant::now();
    let jobs = count.div_ceil(BATCH);
    let next = Arc::new(AtomicUsize::new(0));
    let running: Arc<Mutex<Vec<Option<(Mutant, Instant)>>>> =
        Arc::new(Mutex::new(vec![None; WORKERS]));
    let (tx, rx) = mpsc::channel::<Message>();
    for w in 0..WORKERS {
        let (corpus, next, running, tx) = (corpus.clone(), next.clone(), running.clone(), tx.clone());
        std::thread::Builder::new()
            .name(format!("mutation-{w}"))
            .stack_size(256 << 20)
            .spawn(move || worker(w, count, jobs, &corpus, &next, &running, &tx))
            .unwrap();
    }
    drop(tx);

    let mut stats = Stats::default();
    let mut failures: Vec<Failure> = Vec::new();
    'collect: loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Message::Done(s)) => stats.add(&s),
            Ok(Message::Failed(f)) => failures.push(*f),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // An in-process run cannot be killed: report it and stop the run.
        for (mutant, start) in running.lock().unwrap().iter().flatten() {
            if start.elapsed() > IN_PROCESS_TIMEOUT {
                failures.push(Failure {
                    signature: format!(
                        "hang: in-process run over {} s (nested {} deep)",
                        IN_PROCESS_TIMEOUT.as_secs(),
                        mutant.depth
                    ),
                    runner: Runner::InProcess,
                    mutant: mutant.clone(),
                });
                break 'collect;
            }
        }
    }
    let elapsed = started.elapsed();

    // Report.
    let mut by_signature: BTreeMap<String, Vec<&Failure>> = BTreeMap::new();
    for f in &failures {
        by_signature.entry(normalize(&f.signature)).or_default().push(f);
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "mutation run: seed {seed:#x}, {} mutants ({} in-process runs, {} `promspec lint` runs over {} mutants, {} `promspec build` runs) in {:.1} s; busy: in-process {:.1} s, lint {:.1} s, build {:.1} s",
        stats.mutants,
        stats.in_process,
        stats.lint_runs,
        stats.linted,
        stats.builds,
        elapsed.as_secs_f64(),
        stats.in_process_time.as_secs_f64(),
        stats.lint_time.as_secs_f64(),
        stats.build_time.as_secs_f64(),
    );
    let reporting = Instant::now();
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutation");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut unknown = 0;
    for (n, (signature, group)) in by_signature.iter().enumerate() {
        let known = known_open(signature);
        if known.is_none() {
            unknown += 1;
        }
        let smallest = group.iter().min_by_key(|f| f.mutant.bytes.len()).unwrap();
        let mutant = if (known.is_none() || minimize_known) && !hung(smallest) {
            minimize(smallest, &corpus)
        } else {
            smallest.mutant.clone()
        };
        let file = out_dir.join(format!("{n:02}-{}", smallest.file_name()));
        std::fs::write(&file, &mutant.bytes).unwrap();
        let _ = writeln!(
            report,
            "\n{} ({} mutants): {}\n  first: {}\n  reproduce: {}\n  input ({} bytes, in {}):\n{}",
            match known {
                Some(what) => format!("KNOWN OPEN [{what}]"),
                None => "NEW".to_string(),
            },
            group.len(),
            truncate(signature.clone()),
            truncate(smallest.describe()),
            smallest.runner.command(&file),
            mutant.bytes.len(),
            file.display(),
            show(&mutant.bytes)
        );
    }
    let _ = writeln!(
        report,
        "\nreport written in {:.1} s",
        reporting.elapsed().as_secs_f64()
    );
    println!("{report}");
    assert!(
        stats.mutants >= count,
        "only {} of {count} mutants ran",
        stats.mutants
    );
    assert_eq!(
        unknown, 0,
        "new crashes, hangs or touched files: see the report above"
    );
}

#[test]
fn fuzz_corpus_replays() {
    quiet_panics();
    let fuzz = support::root().join("fuzz");
    let mut failures = Vec::new();
    let mut inputs = 0;
    for (name, target) in targets::TARGETS {
        for sub in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(sub).join(name)) else {
                assert_eq!(sub, "artifacts", "fuzz/corpus/{name} is missing");
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                inputs += 1;
                if let Err(message) = catch(|| target(&data)) {
                    let signature = format!("panic: {message}");
                    if known_open(&signature).is_none() {
                        failures.push(format!("{}: {signature}", path.display()));
                    }
                }
            }
        }
    }
    assert!(inputs >= 100, "only {inputs} fuzz inputs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Inputs.

/// A deterministic generator (SplitMix64).
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a mutated file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A feature spec, next to the bundled project file.
    Feature,
    /// The project file, next to one bundled feature spec.
    Project,
    /// A plain rule file or `PrometheusRule` manifest.
    Rules,
}

/// One file mutants are made from.
struct Seed {
    name: String,
    kind: Kind,
    text: Vec<u8>,
}

/// Everything mutants are made from.
struct Corpus {
    seed: u64,
    seeds: Vec<Seed>,
    project: String,
    features: Vec<usize>,
    projects: Vec<usize>,
    rules: Vec<usize>,
    /// The first threshold of each bundled feature, as a feature spec.
    companions: Vec<Vec<u8>>,
}

impl Corpus {
    fn load(seed: u64) -> Corpus {
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
        let of = |k: Kind| -> Vec<usize> {
            (0..seeds.len()).filter(|&i| seeds[i].kind == k).collect()
        };
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
    fn mutant(&self, index: usize) -> Mutant {
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

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml")
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(support::root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// One mutated file.
#[derive(Clone)]
struct Mutant {
    index: usize,
    kind: Kind,
    base: String,
    ops: Vec<String>,
    bytes: Vec<u8>,
    /// The deepest nesting a mutation made (0: none).
    depth: usize,
    /// The feature a mutated project file is loaded with (an index into
    /// [`Corpus::companions`]).
    companion: usize,
}

impl Mutant {
    fn describe(&self) -> String {
        format!(
            "mutant #{} of {} ({:?}) made by: {}",
            self.index,
            self.base,
            self.kind,
            self.ops.join("; ")
        )
    }

    fn text(&self) -> String {
        self.text_of(&self.bytes)
    }

    fn text_of(&self, bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn in_process(&self) -> bool {
        self.depth <= IN_PROCESS_DEPTH
    }

    /// The project file and the feature spec of a spec mutant.
    fn spec_files(&self, corpus: &Corpus) -> (Vec<u8>, Vec<u8>) {
        match self.kind {
            Kind::Feature => (corpus.project.as_bytes().to_vec(), self.bytes.clone()),
            Kind::Project => (self.bytes.clone(), corpus.companions[self.companion].clone()),
            Kind::Rules => unreachable!("not a spec"),
        }
    }
}

// ---------------------------------------------------------------------------
// Mutations. Each returns what it did and the nesting depth it made.

type Mutator = fn(&mut Rng, &mut Vec<u8>, &Corpus) -> (String, usize);

const MUTATORS: &[Mutator] = &[
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
const BYTES: &[u8] = b"\"'\\{}[]():#&*!|>-,? \t\n\r\0%@`$=~<";

/// Tokens that mean something to YAML, PromQL or Go templates.
const TOKENS: &[&str] = &[
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
const NUMBERS: &[&str] = &[
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
const DURATIONS: &[&str] = &[
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

fn lines(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
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
fn boundary(rng: &mut Rng, bytes: &[u8]) -> usize {
    let mut at = rng.below(bytes.len() + 1);
    while at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

/// The lines that hold `key: value` with a value on the same line: (line,
/// start of the value, end of the value).
fn values(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
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

fn flip_bit(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    if bytes.is_empty() {
        bytes.push(b'x');
    }
    let at = rng.below(bytes.len());
    let bit = rng.below(8);
    bytes[at] ^= 1 << bit;
    (format!("flip bit {bit} of byte {at}"), 0)
}

fn set_byte(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let at = boundary(rng, bytes);
    let b = *rng.pick(BYTES);
    if at < bytes.len() && bytes[at] < 0x80 {
        bytes[at] = b;
    } else {
        bytes.insert(at, b);
    }
    (format!("byte {at} := {:?}", b as char), 0)
}

fn insert_token(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let at = boundary(rng, bytes);
    let token = *rng.pick(TOKENS);
    bytes.splice(at..at, token.bytes());
    (format!("insert {token:?} at {at}"), 0)
}

fn delete(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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

fn duplicate(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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

fn swap_lines(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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

fn splice(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &Corpus) -> (String, usize) {
    let donor = rng.pick(&corpus.seeds);
    let theirs = lines(&donor.text);
    let ours = lines(bytes);
    if theirs.is_empty() {
        return ("splice nothing".into(), 0);
    }
    let first = rng.below(theirs.len());
    let last = (first + rng.below(20)).min(theirs.len() - 1);
    let piece = &donor.text[theirs[first].start..theirs[last].end];
    let at = ours.get(rng.below(ours.len() + 1)).map_or(bytes.len(), |l| l.start);
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

fn indent(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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
fn numbers(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
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

fn number(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    replace_number(rng, bytes, NUMBERS, |r| {
        !r.is_empty() && r.iter().all(|b| !b.is_ascii_alphabetic() || *b == b'e')
    })
}

fn duration(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    replace_number(rng, bytes, DURATIONS, |r| {
        r.last().is_some_and(|b| b.is_ascii_alphabetic())
    })
}

fn replace_number(
    rng: &mut Rng,
    bytes: &mut Vec<u8>,
    with: &[&str],
    prefer: impl Fn(&[u8]) -> bool,
) -> (String, usize) {
    let all = numbers(bytes);
    let preferred: Vec<_> = all.iter().filter(|r| prefer(&bytes[(*r).clone()])).cloned().collect();
    let pool = if preferred.is_empty() { &all } else { &preferred };
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

fn nest(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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
            ["expr:", "query:", "errors:", "total:", "summary:", "description:"]
                .iter()
                .any(|k| key.starts_with(k))
        })
        .collect();
    let Some(&(n, start, end)) = (if queries.is_empty() || rng.chance(20) {
        if vs.is_empty() { None } else { Some(rng.pick(&vs)) }
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

fn unicode(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
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
            let keep = if rng.chance(50) { &bytes[start..end] } else { &[][..] };
            let mut new = keep.to_vec();
            new.extend_from_slice(value.as_bytes());
            bytes.splice(start..end, new);
            (
                format!("value on line {} += {name} x {times}", n + 1),
                0,
            )
        }
        None => {
            let at = boundary(rng, bytes);
            bytes.splice(at..at, value.bytes());
            (format!("insert {name} x {times} at {at}"), 0)
        }
    }
}

fn quote(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let vs = values(bytes);
    if vs.is_empty() {
        return insert_token(rng, bytes, &Corpus::empty());
    }
    let &(n, start, end) = rng.pick(&vs);
    let value = String::from_utf8_lossy(&bytes[start..end]).into_owned();
    let escapes = [
        "\\", "\\\"", "\\x00", "\\x", "\\u0000", "\\ud800", "\\U0010FFFF", "\\U00110000",
        "\\N", "\\_", "\\L\\P", "\\e", "\\q", "\\\n", "\\t\\r\\n",
    ];
    let (what, new) = match rng.below(7) {
        0 => ("double-quote", format!("\"{}\"", value.replace('"', "\\\""))),
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

fn structure(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    let at = ls.get(rng.below(ls.len() + 1)).map_or(bytes.len(), |l| l.start);
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
            let tag = *rng.pick(&["!!binary ", "!!int ", "!!float ", "!!map ", "!custom ", "!!null "]);
            let _ = end;
            bytes.splice(start..start, tag.bytes());
            (format!("tag {tag:?} on line {}", n + 1), 0)
        }
        4 if !ls.is_empty() => {
            // Turn a line into a sequence item.
            let n = rng.below(ls.len());
            let spaces = bytes[ls[n].clone()].iter().take_while(|b| **b == b' ').count();
            bytes.splice(ls[n].start + spaces..ls[n].start + spaces, b"- ".iter().copied());
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

fn generated_mark(rng: &mut Rng, bytes: &mut Vec<u8>, _: &Corpus) -> (String, usize) {
    let ls = lines(bytes);
    let at = if rng.chance(50) {
        0
    } else {
        ls.get(rng.below(ls.len() + 1)).map_or(bytes.len(), |l| l.start)
    };
    bytes.splice(at..at, b"# generated by promspec\n".iter().copied());
    (format!("`# generated by promspec` at byte {at}"), 0)
}

impl Corpus {
    /// A corpus for mutators that need none.
    fn empty() -> Corpus {
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
fn item_starts(bytes: &[u8], kind: Kind) -> Vec<usize> {
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
fn excerpt_items(bytes: &[u8], kind: Kind, first: usize, count: usize) -> Option<Vec<u8>> {
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
fn excerpt(rng: &mut Rng, bytes: &mut Vec<u8>, kind: Kind) -> Option<String> {
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

// ---------------------------------------------------------------------------
// Running.

/// Where a failure was seen, which also says how to reproduce it.
#[derive(Clone, Debug)]
enum Runner {
    /// In-process: spec pipeline, linter and renderers.
    InProcess,
    /// `promspec lint --format FORMAT FILE-OR-DIR`.
    Lint(&'static str),
    /// `promspec build --specs specs --out OUT` in a temporary project.
    Build(&'static str),
}

impl Runner {
    fn command(&self, file: &Path) -> String {
        let file = file.display();
        match self {
            Runner::InProcess => format!(
                "promspec lint {file} (rules) or a specs directory holding it, then promspec build"
            ),
            Runner::Lint(format) => format!("promspec lint --format {format} {file}"),
            Runner::Build(out) => format!(
                "copy {file} into a specs directory with specs/promspec.yaml, then promspec build --specs specs --out {out}"
            ),
        }
    }
}

struct Failure {
    signature: String,
    runner: Runner,
    mutant: Mutant,
}

impl Failure {
    fn describe(&self) -> String {
        format!("{:?}: {}", self.runner, self.mutant.describe())
    }

    fn file_name(&self) -> String {
        match self.mutant.kind {
            Kind::Rules => format!("mutant-{}.rules.yml", self.mutant.index),
            Kind::Feature => format!("mutant-{}.feature.yaml", self.mutant.index),
            Kind::Project => format!("mutant-{}.promspec.yaml", self.mutant.index),
        }
    }
}

enum Message {
    Done(Stats),
    Failed(Box<Failure>),
}

#[derive(Default, Clone)]
struct Stats {
    mutants: usize,
    in_process: usize,
    lint_runs: usize,
    linted: usize,
    builds: usize,
    /// Time spent per runner, over both workers.
    in_process_time: Duration,
    lint_time: Duration,
    build_time: Duration,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.mutants += o.mutants;
        self.in_process += o.in_process;
        self.lint_runs += o.lint_runs;
        self.linted += o.linted;
        self.builds += o.builds;
        self.in_process_time += o.in_process_time;
        self.lint_time += o.lint_time;
        self.build_time += o.build_time;
    }
}

const FORMATS: [&str; 5] = ["human", "concise", "json", "sarif", "github"];

fn worker(
    w: usize,
    count: usize,
    jobs: usize,
    corpus: &Corpus,
    next: &AtomicUsize,
    running: &Mutex<Vec<Option<(Mutant, Instant)>>>,
    tx: &mpsc::Sender<Message>,
) {
    let scratch = tempfile::tempdir().unwrap();
    let specs = scratch.path().join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    loop {
        let job = next.fetch_add(1, Ordering::Relaxed);
        if job >= jobs {
            return;
        }
        let mut stats = Stats::default();
        let mut passed = Vec::new();
        for index in job * BATCH..((job + 1) * BATCH).min(count) {
            let mutant = corpus.mutant(index);
            stats.mutants += 1;
            if mutant.in_process() {
                let start = Instant::now();
                running.lock().unwrap()[w] = Some((mutant.clone(), start));
                let result = run_in_process(&mutant, corpus, &specs);
                running.lock().unwrap()[w] = None;
                stats.in_process_time += start.elapsed();
                if std::env::var_os("PROMSPEC_MUTATION_TRACE").is_some() {
                    eprintln!("TRACE {:?} {:?} {} {}", mutant.kind, start.elapsed(), mutant.bytes.len(), mutant.describe().chars().take(150).collect::<String>());
                }
                stats.in_process += 1;
                if let Err(message) = result {
                    let failure = Failure {
                        signature: format!("panic: {message}"),
                        runner: Runner::InProcess,
                        mutant,
                    };
                    tx.send(Message::Failed(Box::new(failure))).unwrap();
                    continue;
                }
            }
            passed.push(mutant);
        }
        // Through the binary: every deep mutant, every LINT_EVERY-th batch.
        let lint: Vec<Mutant> = passed
            .iter()
            .filter(|m| !m.in_process() || job % LINT_EVERY == 0)
            .cloned()
            .collect();
        if !lint.is_empty() {
            let format = FORMATS[job / LINT_EVERY % FORMATS.len()];
            let start = Instant::now();
            lint_batch(&lint, format, corpus, scratch.path(), &mut stats, tx);
            stats.lint_time += start.elapsed();
        }
        for m in passed.iter().filter(|m| m.kind != Kind::Rules) {
            if m.index % BUILD_EVERY == 0 {
                let out = if m.index % (BUILD_EVERY * 4) == 0 { "." } else { "generated" };
                stats.builds += 1;
                let start = Instant::now();
                let result = build(m, out, corpus, scratch.path());
                stats.build_time += start.elapsed();
                if let Some(signature) = result {
                    let failure = Failure {
                        signature,
                        runner: Runner::Build(out),
                        mutant: m.clone(),
                    };
                    tx.send(Message::Failed(Box::new(failure))).unwrap();
                }
            }
        }
        tx.send(Message::Done(stats)).unwrap();
    }
}

/// Run a mutant through the library: the panic message if it panics.
fn run_in_process(m: &Mutant, corpus: &Corpus, specs: &Path) -> Result<(), String> {
    match m.kind {
        Kind::Rules => catch(|| {
            let text = m.text();
            let mut sources = promspec::source::SourceMap::new();
            let id = sources.add("rules.yml", text.as_str());
            let (diagnostics, sources) = targets::lint_rule_source(sources, id);
            render_some(&diagnostics, &sources, m.index);
        }),
        Kind::Feature | Kind::Project => {
            let (project, feature) = m.spec_files(corpus);
            let (project, feature) = (
                String::from_utf8_lossy(&project),
                String::from_utf8_lossy(&feature),
            );
            let thorough = m.index % THOROUGH_EVERY == 0;
            catch(|| targets::load_specs(specs, &project, &feature, thorough))
        }
    }
}

/// Render in two formats: concise always, and one more chosen by `index`.
fn render_some(
    diagnostics: &[promspec::diag::Diagnostic],
    sources: &promspec::source::SourceMap,
    index: usize,
) {
    let other = OutputFormat::ALL[index % OutputFormat::ALL.len()].1;
    for format in [OutputFormat::Concise, other] {
        let options = RenderOptions {
            color: index % 3 == 0,
            width: 100,
        };
        render::emit(format, diagnostics, sources, options, &mut std::io::sink()).unwrap();
    }
}

/// Run `f`; the panic message if it panics.
fn catch(f: impl FnOnce()) -> Result<(), String> {
    QUIET.fetch_add(1, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(no message)".into());
        let mut locations = LOCATIONS.lock().unwrap();
        match locations.iter().rposition(|(m, _)| *m == message) {
            Some(i) => format!("{message} (at {})", locations.remove(i).1),
            None => message,
        }
    })
}

static QUIET: AtomicUsize = AtomicUsize::new(0);
/// Where each caught panic happened, by message, most recent last.
static LOCATIONS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Panics caught in-process are reported by the run: keep the default hook
/// from printing each one (on the run's threads and the unnamed threads the
/// linter spawns), but remember where each message came from.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let ours = match thread.name() {
                None => true,
                Some(name) => name.starts_with("mutation-") || name.contains("fuzz_corpus"),
            };
            if QUIET.load(Ordering::SeqCst) > 0 && ours {
                let message = info
                    .payload()
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let at = info.location().map(|l| l.to_string()).unwrap_or_default();
                let backtrace = std::backtrace::Backtrace::force_capture().to_string();
                let frame = first_frame(&backtrace).unwrap_or_default();
                let mut locations = LOCATIONS.lock().unwrap();
                if locations.len() >= 1_000 {
                    locations.remove(0);
                }
                locations.push((message, format!("{at}, in {frame}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// How a process ended.
#[derive(Debug)]
enum Ended {
    Exit(i32),
    Signal(i32),
    Timeout,
}

/// Run promspec in `cwd` with a timeout; how it ended and its stderr.
fn run_promspec(cwd: &Path, args: &[&str]) -> (Ended, String) {
    use std::os::unix::process::ExitStatusExt;
    let log = tempfile::tempfile().unwrap();
    let mut child = Command::new(support::bin())
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log.try_clone().unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let ended = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break match (status.code(), status.signal()) {
                (Some(c), _) => Ended::Exit(c),
                (None, Some(s)) => Ended::Signal(s),
                _ => Ended::Exit(-1),
            };
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break Ended::Timeout;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    let mut log = log;
    use std::io::{Read, Seek};
    log.seek(std::io::SeekFrom::Start(0)).unwrap();
    let mut raw = Vec::new();
    let _ = log.take(1 << 20).read_to_end(&mut raw);
    stderr.push_str(&String::from_utf8_lossy(&raw));
    (ended, stderr)
}

/// Why a process's end breaks the contract, or `None`.
fn verdict(ended: &Ended, stderr: &str, mutant: Option<&Mutant>) -> Option<String> {
    // The last panic is the one that ended the process (the PromQL facade
    // catches the parser's panics, which still print).
    let last = stderr.rfind("panicked at").map_or(stderr, |i| {
        let start = stderr[..i].rfind('\n').map_or(0, |n| n + 1);
        &stderr[start..]
    });
    let panic_message = || {
        let mut lines = last.lines().skip_while(|l| !l.contains("panicked at"));
        let at = lines.next().unwrap_or_default();
        let at = at.split("panicked at ").nth(1).unwrap_or_default().trim_end_matches(':');
        let message: Vec<&str> = lines
            .take_while(|l| !l.starts_with("note:") && !l.starts_with("stack backtrace:"))
            .collect();
        let frame = first_frame(last).unwrap_or_default();
        format!("{} (at {at}, in {frame})", message.join(" "))
    };
    match ended {
        Ended::Exit(0..=2) => None,
        Ended::Exit(101) => Some(format!("panic: {}", panic_message())),
        Ended::Exit(c) => Some(format!(
            "exit {c}: {}",
            stderr.lines().last().unwrap_or_default()
        )),
        Ended::Signal(s) => {
            let why = stderr
                .lines()
                .find(|l| l.contains("overflowed its stack") || l.contains("memory allocation"))
                .map(|l| l.split("' ").last().unwrap_or(l).to_string())
                .unwrap_or_else(|| stderr.lines().last().unwrap_or_default().to_string());
            Some(format!("signal {s}: {why}"))
        }
        Ended::Timeout => Some(format!(
            "hang: no exit after {} s ({})",
            TIMEOUT.as_secs(),
            match mutant {
                Some(m) if m.depth > 0 => format!("nested {} deep", m.depth),
                Some(_) => "no deep nesting".to_string(),
                None => "a batch".to_string(),
            }
        )),
    }
}

/// Write `mutants` into `dir` for one `promspec lint` run: rule files under
/// `rules/`, each spec mutant as its own specs directory. The arguments.
fn lay_out(mutants: &[&Mutant], corpus: &Corpus, dir: &Path) -> Vec<String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    let mut args = Vec::new();
    let mut any_rules = false;
    for m in mutants {
        // One unreadable file stops the whole run (exit 2): batch valid UTF-8.
        let text = m.text();
        match m.kind {
            Kind::Rules => {
                any_rules = true;
                std::fs::write(dir.join(format!("rules/m{}.yml", m.index)), text).unwrap();
            }
            Kind::Feature | Kind::Project => {
                let specs = dir.join(format!("s{}", m.index));
                std::fs::create_dir_all(&specs).unwrap();
                let (project, feature) = m.spec_files(corpus);
                let feature = String::from_utf8_lossy(&feature);
                std::fs::write(specs.join("promspec.yaml"), m.text_of(&project)).unwrap();
                std::fs::write(specs.join(targets::feature_file_name(&feature)), &*feature)
                    .unwrap();
                args.push(format!("s{}", m.index));
            }
        }
    }
    if any_rules {
        args.push("rules".into());
    }
    args
}

/// `promspec lint` over `mutants` at once; on a failure, bisect down to the
/// single mutants that fail and report each.
fn lint_batch(
    mutants: &[Mutant],
    format: &'static str,
    corpus: &Corpus,
    scratch: &Path,
    stats: &mut Stats,
    tx: &mpsc::Sender<Message>,
) {
    stats.linted += mutants.len();
    let mut stack: Vec<Vec<&Mutant>> = vec![mutants.iter().collect()];
    while let Some(group) = stack.pop() {
        let dir = scratch.join("lint");
        let args = lay_out(&group, corpus, &dir);
        let mut all = vec!["lint", "--format", format];
        all.extend(args.iter().map(String::as_str));
        stats.lint_runs += 1;
        let (ended, stderr) = run_promspec(&dir, &all);
        let single = (group.len() == 1).then(|| group[0]);
        let Some(signature) = verdict(&ended, &stderr, single) else {
            continue;
        };
        if let Some(m) = single {
            let failure = Failure {
                signature,
                runner: Runner::Lint(format),
                mutant: m.clone(),
            };
            tx.send(Message::Failed(Box::new(failure))).unwrap();
        } else {
            let half = group.len() / 2;
            stack.push(group[half..].to_vec());
            stack.push(group[..half].to_vec());
        }
    }
}

/// Every file under `dir` except under `skip`: path → (bytes, mode).
fn snapshot(dir: &Path, skip: Option<&Path>) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if Some(path.as_path()) == skip {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.insert(path, (bytes, meta.permissions().mode()));
            }
        }
    }
    out
}

/// `promspec build` of a spec mutant in a temporary project; why it breaks
/// the contract, or `None`.
fn build(m: &Mutant, out: &str, corpus: &Corpus, scratch: &Path) -> Option<String> {
    let project = scratch.join("build");
    let _ = std::fs::remove_dir_all(&project);
    let specs = project.join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let (project_file, feature) = m.spec_files(corpus);
    std::fs::write(specs.join("promspec.yaml"), &project_file).unwrap();
    let name = targets::feature_file_name(&String::from_utf8_lossy(&feature));
    std::fs::write(specs.join(name), &feature).unwrap();
    std::fs::write(project.join("README.md"), "hand-written\n").unwrap();
    // With `--out .` the whole project is the output directory: files that
    // were there before (the specs, a README) must still not change.
    let skip = (out != ".").then(|| project.join(out));
    let before = snapshot(&project, skip.as_deref());
    let (ended, stderr) = run_promspec(&project, &["build", "--specs", "specs", "--out", out]);
    if let Some(signature) = verdict(&ended, &stderr, Some(m)) {
        return Some(signature);
    }
    let after = snapshot(&project, skip.as_deref());
    let mut changes = Vec::new();
    for (path, content) in &before {
        let rel = path.strip_prefix(&project).unwrap().display();
        match after.get(path) {
            None => changes.push(format!("deleted {rel}")),
            Some(c) if c != content => changes.push(format!("changed {rel}")),
            _ => {}
        }
    }
    if skip.is_some() {
        for path in after.keys().filter(|p| !before.contains_key(*p)) {
            let rel = path.strip_prefix(&project).unwrap().display();
            changes.push(format!("created {rel}"));
        }
    }
    (!changes.is_empty()).then(|| {
        format!(
            "build --out {out} touched files outside its output: {}",
            changes.join(", ")
        )
    })
}

// ---------------------------------------------------------------------------
// Reporting.

fn known_open(signature: &str) -> Option<&'static str> {
    KNOWN_OPEN
        .iter()
        .find(|(needles, _)| needles.iter().all(|n| signature.contains(n)))
        .map(|(_, what)| *what)
}

/// The first frame of a backtrace outside the standard library and this
/// test: the function that panicked.
fn first_frame(backtrace: &str) -> Option<String> {
    const SKIP: [&str; 12] = [
        "__rustc", "rust_begin_unwind", "core::", "std::", "alloc::", "<core::", "<std::",
        "<alloc::", "it::", "<it::", "test::", "<F as",
    ];
    backtrace
        .lines()
        .filter_map(|l| {
            let (n, name) = l.trim_start().split_once(": ")?;
            n.parse::<usize>().ok()?;
            Some(name.trim())
        })
        .find(|name| !SKIP.iter().any(|s| name.starts_with(s)))
        .map(str::to_string)
}

/// A signature with numbers and quoted texts blurred, so that one bug is
/// one entry of the report.
fn normalize(signature: &str) -> String {
    let mut out = String::new();
    let mut last_digit = false;
    let mut quoted = None;
    for c in signature.chars() {
        if let Some(q) = quoted {
            if c == q {
                quoted = None;
                out.push_str("...");
                out.push(c);
            }
            continue;
        }
        if c == '`' || (c == '\'' && out.ends_with(' ')) {
            quoted = Some(c);
            out.push(c);
            last_digit = false;
        } else if c.is_ascii_digit() {
            if !last_digit {
                out.push('N');
            }
            last_digit = true;
        } else {
            last_digit = false;
            out.push(c);
        }
    }
    out.chars().take(300).collect()
}

/// Shrink a failing mutant by removing lines while it fails the same way.
fn minimize(failure: &Failure, corpus: &Corpus) -> Mutant {
    let wanted = normalize(&failure.signature);
    let scratch = tempfile::tempdir().unwrap();
    let specs = scratch.path().join("specs");
    std::fs::create_dir_all(&specs).unwrap();
    let fails = |m: &Mutant| -> bool {
        let signature = match &failure.runner {
            Runner::InProcess => run_in_process(m, corpus, &specs)
                .err()
                .map(|e| format!("panic: {e}")),
            Runner::Lint(format) => {
                let dir = scratch.path().join("lint");
                let args = lay_out(&[m], corpus, &dir);
                let mut all = vec!["lint", "--format", *format];
                all.extend(args.iter().map(String::as_str));
                let (ended, stderr) = run_promspec(&dir, &all);
                verdict(&ended, &stderr, Some(m))
            }
            Runner::Build(out) => build(m, out, corpus, scratch.path()),
        };
        signature.is_some_and(|s| normalize(&s) == wanted)
    };
    let started = Instant::now();
    let budget = Duration::from_secs(20);
    let mut best = failure.mutant.clone();
    let mut chunk = lines(&best.bytes).len().div_ceil(2).max(1);
    loop {
        let mut progress = false;
        let mut i = 0;
        loop {
            let ls = lines(&best.bytes);
            if i >= ls.len() || started.elapsed() > budget {
                break;
            }
            let end = (i + chunk).min(ls.len());
            let mut candidate = best.clone();
            candidate.bytes.drain(ls[i].start..ls[end - 1].end);
            if fails(&candidate) {
                best = candidate;
                progress = true;
            } else {
                i += chunk;
            }
        }
        if started.elapsed() > budget || (chunk == 1 && !progress) {
            break;
        }
        if !progress {
            chunk = chunk.div_ceil(2);
        }
    }
    best
}

/// At most 300 characters of `s`.
fn truncate(s: String) -> String {
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}[...]", &s[..i]),
        None => s,
    }
}

/// The start of an input, readable in a report.
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for line in text.lines().take(40) {
        let shown: String = line.chars().take(160).collect();
        let _ = write!(out, "    | {shown}");
        if shown.len() < line.len() {
            let _ = write!(out, " [... {} more bytes]", line.len() - shown.len());
        }
        out.push('\n');
    }
    let lines = text.lines().count();
    if lines > 40 {
        let _ = writeln!(out, "    [... {} more lines]", lines - 40);
    }
    out
}

/// A decimal (or `0x` hexadecimal) number from the environment.
fn env_number<T: TryFrom<u64>>(name: &str) -> Option<T> {
    let value = std::env::var(name).ok()?;
    let n = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => value.parse().ok()?,
    };
    T::try_from(n).ok()
}
