//! Running mutants: in-process under `catch_unwind`, and through the
//! binary with a timeout (`promspec lint` over batches, bisected on
//! failure; `promspec build` on a temporary project, compared before and
//! after); and the verdict on how a run ended.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, mpsc};
use std::time::{Duration, Instant};

use promspec::diag::render::{self, OutputFormat, RenderOptions};

use super::mutate::{Corpus, Kind, Mutant, lines};
use super::{
    BATCH, BUILD_EVERY, LINT_EVERY, THOROUGH_EVERY, TIMEOUT, first_frame, normalize, targets,
};
use crate::support;

/// Where a failure was seen, which also says how to reproduce it.
#[derive(Clone, Debug)]
pub(super) enum Runner {
    /// In-process: spec pipeline, linter and renderers.
    InProcess,
    /// `promspec lint --format FORMAT FILE-OR-DIR`.
    Lint(&'static str),
    /// `promspec build --specs specs --out OUT` in a temporary project.
    Build(&'static str),
}

impl Runner {
    pub(super) fn command(&self, file: &Path) -> String {
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

pub(super) struct Failure {
    pub(super) signature: String,
    pub(super) runner: Runner,
    pub(super) mutant: Mutant,
}

impl Failure {
    pub(super) fn describe(&self) -> String {
        format!("{:?}: {}", self.runner, self.mutant.describe())
    }

    pub(super) fn file_name(&self) -> String {
        match self.mutant.kind {
            Kind::Rules => format!("mutant-{}.rules.yml", self.mutant.index),
            Kind::Feature => format!("mutant-{}.feature.yaml", self.mutant.index),
            Kind::Project => format!("mutant-{}.promspec.yaml", self.mutant.index),
        }
    }
}

/// What each worker runs in-process now, and since when.
pub(super) type Running = Mutex<Vec<Option<(Mutant, Instant)>>>;

pub(super) enum Message {
    Done(Stats),
    Failed(Box<Failure>),
}

#[derive(Default, Clone)]
pub(super) struct Stats {
    pub(super) mutants: usize,
    pub(super) in_process: usize,
    pub(super) lint_runs: usize,
    pub(super) linted: usize,
    pub(super) builds: usize,
    /// Time spent per runner, over both workers.
    pub(super) in_process_time: Duration,
    pub(super) lint_time: Duration,
    pub(super) build_time: Duration,
}

impl Stats {
    pub(super) fn add(&mut self, o: &Stats) {
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

pub(super) const FORMATS: [&str; 5] = ["human", "concise", "json", "sarif", "github"];

pub(super) fn worker(
    w: usize,
    count: usize,
    jobs: usize,
    corpus: &Corpus,
    next: &AtomicUsize,
    running: &Running,
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
                stats.in_process += 1;
                if let Err(message) = result {
                    let failure = Failure {
                        signature: format!("panic: {message}"),
                        runner: Runner::InProcess,
                        mutant,
                    };
                    let _ = tx.send(Message::Failed(Box::new(failure)));
                    continue;
                }
            }
            passed.push(mutant);
        }
        // Through the binary: every deep mutant, every LINT_EVERY-th batch.
        let lint: Vec<Mutant> = passed
            .iter()
            .filter(|m| !m.in_process() || job.is_multiple_of(LINT_EVERY))
            .cloned()
            .collect();
        if !lint.is_empty() {
            let format = FORMATS[job / LINT_EVERY % FORMATS.len()];
            let start = Instant::now();
            lint_batch(&lint, format, corpus, scratch.path(), &mut stats, tx);
            stats.lint_time += start.elapsed();
        }
        // Through `promspec build`: every BUILD_EVERY-th spec mutant, and
        // every deep one (the compiler recurses too).
        for m in passed.iter().filter(|m| m.kind != Kind::Rules) {
            if m.index.is_multiple_of(BUILD_EVERY) || !m.in_process() {
                let out = if m.index.is_multiple_of(BUILD_EVERY * 4) {
                    "."
                } else {
                    "generated"
                };
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
                    let _ = tx.send(Message::Failed(Box::new(failure)));
                }
            }
        }
        let _ = tx.send(Message::Done(stats));
    }
}

/// Run a mutant through the library: the panic message if it panics.
pub(super) fn run_in_process(m: &Mutant, corpus: &Corpus, specs: &Path) -> Result<(), String> {
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
            let thorough = m.index.is_multiple_of(THOROUGH_EVERY);
            catch(|| targets::load_specs(specs, &project, &feature, thorough))
        }
    }
}

/// Render in two formats: concise always, and one more chosen by `index`.
pub(super) fn render_some(
    diagnostics: &[promspec::diag::Diagnostic],
    sources: &promspec::source::SourceMap,
    index: usize,
) {
    let other = OutputFormat::ALL[index % OutputFormat::ALL.len()].1;
    for format in [OutputFormat::Concise, other] {
        let options = RenderOptions {
            color: index.is_multiple_of(3),
            width: 100,
        };
        render::emit(format, diagnostics, sources, options, &mut std::io::sink()).unwrap();
    }
}

/// Run `f`; the panic message if it panics.
pub(super) fn catch(f: impl FnOnce()) -> Result<(), String> {
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

pub(super) static QUIET: AtomicUsize = AtomicUsize::new(0);
/// Where each caught panic happened, by message, most recent last.
pub(super) static LOCATIONS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Panics caught in-process are reported by the run: keep the default hook
/// from printing each one (on the run's threads and the unnamed threads the
/// linter spawns), but remember where each message came from.
pub(super) fn quiet_panics() {
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
pub(super) enum Ended {
    Exit(i32),
    Signal(i32),
    Timeout,
}

/// Run promspec in `cwd` with a timeout; how it ended and its stderr.
pub(super) fn run_promspec(cwd: &Path, args: &[&str]) -> (Ended, String) {
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
pub(super) fn verdict(ended: &Ended, stderr: &str, mutant: Option<&Mutant>) -> Option<String> {
    // The last panic is the one that ended the process (the PromQL facade
    // catches the parser's panics, which still print).
    let last = stderr.rfind("panicked at").map_or(stderr, |i| {
        let start = stderr[..i].rfind('\n').map_or(0, |n| n + 1);
        &stderr[start..]
    });
    let panic_message = || {
        let mut lines = last.lines().skip_while(|l| !l.contains("panicked at"));
        let at = lines.next().unwrap_or_default();
        let at = at
            .split("panicked at ")
            .nth(1)
            .unwrap_or_default()
            .trim_end_matches(':');
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
pub(super) fn lay_out(mutants: &[&Mutant], corpus: &Corpus, dir: &Path) -> Vec<String> {
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
pub(super) fn lint_batch(
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
            let _ = tx.send(Message::Failed(Box::new(failure)));
        } else {
            let half = group.len() / 2;
            stack.push(group[half..].to_vec());
            stack.push(group[..half].to_vec());
        }
    }
}

/// Every file under `dir` except under `skip`: path → (bytes, mode).
pub(super) fn snapshot(dir: &Path, skip: Option<&Path>) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
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
pub(super) fn build(m: &Mutant, out: &str, corpus: &Corpus, scratch: &Path) -> Option<String> {
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

/// Shrink a failing mutant by removing lines while it fails the same way.
pub(super) fn minimize(failure: &Failure, corpus: &Corpus) -> Mutant {
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
