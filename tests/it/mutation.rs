//! Bounded mutation run: no mutated spec or rule file makes promspec panic,
//! abort, hang or exit with a code other than 0, 1 or 2, and `build` changes
//! nothing outside its output directory.
//!
//! Mutants are made from the bundled specs (`specs/`) and the corpus rule
//! files (`tests/corpus/rules`) with a fixed seed: byte flips, deletions,
//! duplications, splices between files, YAML-structural edits, hostile
//! numbers and durations, deep nesting, long non-ASCII strings, quotes and
//! escapes. Every mutant runs in-process through the library (the spec
//! pipeline and compiler, or the rule-file loader and linter, then
//! renderers; each under `catch_unwind`); a share of them also runs through
//! the real binary: `promspec lint` over batches of mutants (a failing batch
//! is bisected down to single mutants) and `promspec build` on a temporary
//! project whose files outside the output directory are compared before and
//! after. Mutants nested deeper than [`IN_PROCESS_DEPTH`] run through the
//! binary only: a stack overflow would abort the whole test process.
//!
//! `PROMSPEC_MUTANTS` (default 10,000) and `PROMSPEC_MUTATION_SEED` change
//! the volume and the seed; `PROMSPEC_MUTATION_MINIMIZE=1` also minimizes the
//! known open crashes, `PROMSPEC_MUTATION_STRICT=1` fails on them too. Failures are written to
//! `target/tmp/mutation/` with the command that reproduces them.
//!
//! The test `fuzz_corpus_replays` runs the committed fuzz corpus and every
//! crasher under `fuzz/artifacts/` through the fuzz targets' bodies.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::support;

mod mutate;
mod run;
#[path = "../../fuzz/src/targets.rs"]
mod targets;

use mutate::Corpus;
use run::{Failure, Message, Runner, Running, Stats, catch, minimize, quiet_panics, worker};

/// Crashes that are known and not fixed yet: every substring of an entry
/// appears in the failure's signature (`panic: MESSAGE (at LOCATION, in
/// FIRST-NON-STD-FRAME)`, `signal N: ...`, `hang: ...`). A mutant that fails
/// only this way is counted and printed, not failed on. Empty: every crash
/// the suite has found is fixed, and one that comes back fails the run.
const KNOWN_OPEN: &[(&[&str], &str)] = &[];

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
    let hung =
        |f: &Failure| f.signature.starts_with("hang") && matches!(f.runner, Runner::InProcess);
    let corpus = Arc::new(Corpus::load(seed));
    quiet_panics();

    let started = Instant::now();
    let jobs = count.div_ceil(BATCH);
    let next = Arc::new(AtomicUsize::new(0));
    let running: Arc<Running> = Arc::new(Mutex::new(vec![None; WORKERS]));
    let (tx, rx) = mpsc::channel::<Message>();
    for w in 0..WORKERS {
        let (corpus, next, running, tx) =
            (corpus.clone(), next.clone(), running.clone(), tx.clone());
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
        by_signature
            .entry(normalize(&f.signature))
            .or_default()
            .push(f);
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
            smallest.runner.command(&file, smallest.mutant.kind),
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
    // On a thread with a large stack, as the mutation run: an input nested
    // deeply enough to overflow it belongs in a binary test, not here.
    let report = std::thread::Builder::new()
        .name("mutation-replay".into())
        .stack_size(256 << 20)
        .spawn(replay)
        .unwrap()
        .join()
        .unwrap();
    println!("{report}");
}

/// Every committed fuzz input through its target; panics when one fails in
/// a way that is not a known open crash.
fn replay() -> String {
    let fuzz = support::root().join("fuzz");
    let mut failures = Vec::new();
    let mut known = Vec::new();
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
                    let line = format!("{}: {}", relative(&path), truncate(signature.clone()));
                    match known_open(&signature) {
                        Some(what) => known.push(format!("KNOWN OPEN [{what}] {line}")),
                        None => failures.push(line),
                    }
                }
            }
        }
    }
    assert!(inputs >= 100, "only {inputs} fuzz inputs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    format!("{inputs} fuzz inputs replayed\n{}", known.join("\n"))
}

fn relative(path: &Path) -> String {
    let root = support::root();
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn known_open(signature: &str) -> Option<&'static str> {
    if std::env::var_os("PROMSPEC_MUTATION_STRICT").is_some() {
        return None;
    }
    KNOWN_OPEN
        .iter()
        .find(|(needles, _)| needles.iter().all(|n| signature.contains(n)))
        .map(|(_, what)| *what)
}

/// The first frame of a backtrace outside the standard library and this
/// test: the function that panicked.
fn first_frame(backtrace: &str) -> Option<String> {
    const SKIP: [&str; 12] = [
        "__rustc",
        "rust_begin_unwind",
        "core::",
        "std::",
        "alloc::",
        "<core::",
        "<std::",
        "<alloc::",
        "it::",
        "<it::",
        "test::",
        "<F as",
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
    out
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
