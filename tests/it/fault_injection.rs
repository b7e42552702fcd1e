//! Fault injection: `promspec build` killed (SIGKILL) at random points, and
//! builds run two at a time on one output directory.
//!
//! A project of 200 features alternates between two spec versions, A and B,
//! whose outputs differ (titles and runbooks change every dashboard and
//! runbook table, every fortieth feature's threshold moves, and one
//! feature is swapped for another, so files are created and deleted too).
//! Most kills land while files are being written: the test waits for the
//! first sign of writing (the temporary files beside the Alertmanager
//! configuration, the first output in path order, change) and kills within
//! the measured length of the write phase; the
//! others land anywhere in the run. After every kill:
//! - each file is A's or B's version of that path, never partial, and a path
//!   both versions produce is never missing; nothing else is there but the
//!   manifest and promspec's temporary files;
//! - `build --check` exits 0 exactly when the directory equals a clean build
//!   of the killed version (manifest included), 1 otherwise;
//! - every fifth trial lets the next build finish: it exits 0, leaves no
//!   temporary file, and the directory equals a clean build.
//!
//! Two builds of different versions started together both succeed, and the
//! directory ends exactly as a clean build of one of them.
//!
//! The seed is printed; `PROMSPEC_FAULT_SEED=<n>` replays a run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{bin, root};

const FEATURES: usize = 200;
const TRIALS_PER_LANE: usize = 64;
const LANES: usize = 2;
const PAIRS_PER_LANE: usize = 4;
const MANIFEST: &str = ".promspec-manifest";

/// The bytes of every file under a directory, by `/`-separated relative path.
type Tree = BTreeMap<String, Vec<u8>>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Version {
    A,
    B,
}

impl Version {
    fn other(self) -> Version {
        match self {
            Version::A => Version::B,
            Version::B => Version::A,
        }
    }
}

/// A small deterministic generator (xorshift64*), so a failing run replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn feature_spec(i: usize, version: Version) -> String {
    let v = match version {
        Version::A => 1,
        Version::B => 2,
    };
    let thresholds = if i.is_multiple_of(40) {
        let level = if version == Version::A {
            "512MiB"
        } else {
            "600MiB"
        };
        format!(
            "thresholds:\n  - id: memory\n    title: Resident memory\n    query: max(process_resident_memory_bytes{{job=\"f{i:03}\"}})\n    unit: bytes\n    warning: {{above: {level}, for: 5m}}\n"
        )
    } else {
        "thresholds: []\n".to_string()
    };
    format!(
        "feature: f{i:03}\ntitle: Feature {i} (v{v})\nteam: platform\nrunbook: https://runbooks.example.com/f{i:03}/v{v}\n{thresholds}"
    )
}

/// Write the specs of `version` into `specs` (replacing the other's).
fn write_specs(specs: &Path, version: Version) {
    if specs.exists() {
        std::fs::remove_dir_all(specs).unwrap();
    }
    std::fs::create_dir_all(specs).unwrap();
    std::fs::copy(
        root().join("src/cli/templates/promspec.yaml"),
        specs.join("promspec.yaml"),
    )
    .unwrap();
    // A has f000..f199, B has f001..f200.
    let range = match version {
        Version::A => 0..FEATURES,
        Version::B => 1..FEATURES + 1,
    };
    for i in range {
        std::fs::write(
            specs.join(format!("f{i:03}.yaml")),
            feature_spec(i, version),
        )
        .unwrap();
    }
}

fn specs_dir(project: &Path, version: Version) -> PathBuf {
    project.join(match version {
        Version::A => "specs-a",
        Version::B => "specs-b",
    })
}

fn command(project: &Path, version: Version, out: &Path, check: bool) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(project)
        .env("NO_COLOR", "1")
        .arg("build")
        .arg("--specs")
        .arg(specs_dir(project, version))
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if check {
        cmd.arg("--check");
    }
    cmd
}

fn run(project: &Path, version: Version, out: &Path, check: bool) -> (i32, String) {
    let o = command(project, version, out, check).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn read_tree(dir: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, tree: &mut Tree) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                walk(root, &path, tree);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                // A file renamed or removed meanwhile cannot happen: nothing runs now.
                tree.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut tree = Tree::new();
    walk(dir, dir, &mut tree);
    tree
}

fn is_temp(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.starts_with(".promspec-tmp.")
        || name
            .strip_prefix(".promspec-")
            .is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// What a kill left, judged against the clean builds of both versions.
/// Returns whether the directory is in between (some files of each
/// version, temporary files, or a manifest of neither).
fn check_old_or_new(tree: &Tree, a: &Tree, b: &Tree, context: &str) -> bool {
    let mut in_between = false;
    let mut seen = [false, false];
    for (rel, bytes) in tree {
        if is_temp(rel) {
            in_between = true;
            continue;
        }
        if rel == MANIFEST {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                text.starts_with("# promspec manifest"),
                "{context}: the manifest is not whole:\n{text}"
            );
            if Some(bytes) != a.get(rel) && Some(bytes) != b.get(rel) {
                in_between = true;
            }
            continue;
        }
        let is_a = a.get(rel) == Some(bytes);
        let is_b = b.get(rel) == Some(bytes);
        assert!(
            is_a || is_b,
            "{context}: {rel} is neither version A's nor B's ({} bytes)",
            bytes.len()
        );
        if is_a != is_b {
            seen[usize::from(is_b)] = true;
        }
    }
    for rel in a.keys().filter(|k| b.contains_key(*k)) {
        assert!(
            tree.contains_key(rel),
            "{context}: {rel} is produced by both versions but missing"
        );
    }
    in_between || (seen[0] && seen[1])
}

fn temps(tree: &Tree) -> Vec<&String> {
    tree.keys().filter(|k| is_temp(k)).collect()
}

fn assert_check_tells_the_truth(
    project: &Path,
    version: Version,
    out: &Path,
    tree: &Tree,
    reference: &Tree,
    context: &str,
) {
    let (code, stderr) = run(project, version, out, true);
    let expected = if tree == reference { 0 } else { 1 };
    assert_eq!(
        code,
        expected,
        "{context}: `build --check` exited {code}, but the directory {} a clean build\n{stderr}",
        if expected == 0 {
            "equals"
        } else {
            "differs from"
        }
    );
}

/// The temporary files in `dir` (not recursive).
fn temps_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_temp(n))
        .collect();
    names.sort();
    names
}

/// Timings measured on a full rewrite from one version to the other.
#[derive(Clone, Copy)]
struct Timing {
    build: Duration,
    write: Duration,
}

struct Lane {
    project: tempfile::TempDir,
    seed: u64,
}

fn lane(lane: Lane, refs: &(Tree, Tree), timing: Timing) -> (usize, usize) {
    let project = lane.project.path();
    let out = project.join("out");
    let mut rng = Rng(lane.seed);
    let reference = |v: Version| match v {
        Version::A => &refs.0,
        Version::B => &refs.1,
    };
    assert_eq!(run(project, Version::A, &out, false).0, 0);
    let mut version = Version::B;
    let mut in_between = 0;
    let mut trials = 0;
    for trial in 0..TRIALS_PER_LANE {
        let context = format!("seed {} trial {trial} ({version:?})", lane.seed);
        if trial % 5 == 4 {
            // The next build after a kill completes and repairs everything.
            let (code, stderr) = run(project, version, &out, false);
            assert_eq!(code, 0, "{context}: {stderr}");
            let tree = read_tree(&out);
            assert!(
                temps(&tree).is_empty(),
                "{context}: temporary files survived: {:?}",
                temps(&tree)
            );
            assert!(
                tree == *reference(version),
                "{context}: a completed build differs from a clean one"
            );
            assert_check_tells_the_truth(
                project,
                version,
                &out,
                &tree,
                reference(version),
                &context,
            );
        } else {
            // Outputs are written in path order: the Alertmanager configuration first.
            let watched = out.join("alertmanager");
            let before = temps_in(&watched);
            let anywhere = rng.unit() < 0.2;
            let mut child = command(project, version, &out, false).spawn().unwrap();
            let started = Instant::now();
            let mut deadline = if anywhere {
                Some(timing.build.mul_f64(1.1 * rng.unit()))
            } else {
                None
            };
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                match deadline {
                    Some(d) if started.elapsed() >= d => break,
                    Some(_) => {}
                    // Writing has begun once the temporary files change.
                    None if temps_in(&watched) != before => {
                        deadline = Some(started.elapsed() + timing.write.mul_f64(rng.unit()));
                    }
                    None if started.elapsed() > timing.build * 20 => {
                        panic!("{context}: the build never started writing")
                    }
                    None => {}
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = child.kill();
            let status = child.wait().unwrap();
            assert!(
                status.code().is_none_or(|c| c == 0),
                "{context}: the build failed on its own: {status}"
            );
            trials += 1;
            let tree = read_tree(&out);
            if check_old_or_new(&tree, &refs.0, &refs.1, &context) {
                in_between += 1;
            }
            assert_check_tells_the_truth(
                project,
                version,
                &out,
                &tree,
                reference(version),
                &context,
            );
        }
        version = version.other();
    }

    // Concurrent builds of both versions end as exactly one of them.
    for pair in 0..PAIRS_PER_LANE {
        let context = format!("seed {} pair {pair}", lane.seed);
        let mut first = command(project, Version::A, &out, false).spawn().unwrap();
        let mut second = command(project, Version::B, &out, false).spawn().unwrap();
        for child in [&mut first, &mut second] {
            let status = child.wait().unwrap();
            assert!(
                status.success(),
                "{context}: a concurrent build failed: {status}"
            );
        }
        let tree = read_tree(&out);
        assert!(
            tree == refs.0 || tree == refs.1,
            "{context}: two concurrent builds left a mix: {} files of A, {} of B",
            tree.iter()
                .filter(|(k, v)| refs.0.get(*k) == Some(v))
                .count(),
            tree.iter()
                .filter(|(k, v)| refs.1.get(*k) == Some(v))
                .count()
        );
    }
    (trials, in_between)
}

#[test]
fn killed_and_concurrent_builds_leave_old_or_new_files() {
    let started = Instant::now();
    let seed = std::env::var("PROMSPEC_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("fault injection seed: {seed} (PROMSPEC_FAULT_SEED={seed} replays it)");

    // Clean builds of both versions: what "old" and "new" mean.
    let refs_dir = tempfile::tempdir().unwrap();
    let mut refs = Vec::new();
    for version in [Version::A, Version::B] {
        write_specs(&specs_dir(refs_dir.path(), version), version);
        let out = refs_dir.path().join(format!("{version:?}"));
        let (code, stderr) = run(refs_dir.path(), version, &out, false);
        assert_eq!(code, 0, "{stderr}");
        refs.push(read_tree(&out));
    }
    let refs = (refs.remove(0), refs.remove(0));
    let outputs = |t: &Tree| t.keys().filter(|k| !k.starts_with('.')).count();
    // Per feature: rules, unit tests, dashboard, runbook; then the overview,
    // alertmanager.yml, its templates and routing.md.
    assert_eq!(outputs(&refs.0), FEATURES * 4 + 4);
    assert!(
        refs.0
            .keys()
            .filter(|k| refs.1.get(*k) != refs.0.get(*k))
            .count()
            > FEATURES
    );

    // How long a full rewrite takes, and how much of it is writing.
    let out = refs_dir.path().join("A");
    let t = Instant::now();
    assert_eq!(run(refs_dir.path(), Version::B, &out, true).0, 1);
    let check = t.elapsed();
    let t = Instant::now();
    assert_eq!(run(refs_dir.path(), Version::B, &out, false).0, 0);
    let build = t.elapsed();
    assert!(
        read_tree(&out) == refs.1,
        "a rewrite differs from a clean build"
    );
    let timing = Timing {
        build,
        write: build
            .saturating_sub(check)
            .max(Duration::from_millis(30))
            .mul_f64(1.2),
    };

    let lanes: Vec<Lane> = (0..LANES as u64)
        .map(|i| {
            let project = tempfile::tempdir().unwrap();
            for v in [Version::A, Version::B] {
                write_specs(&specs_dir(project.path(), v), v);
            }
            Lane {
                project,
                seed: seed.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1,
            }
        })
        .collect();
    let results: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|l| {
                let refs = &refs;
                s.spawn(move || lane(l, refs, timing))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let trials: usize = results.iter().map(|r| r.0).sum();
    let in_between: usize = results.iter().map(|r| r.1).sum();
    eprintln!(
        "{trials} killed builds, {in_between} killed while writing; {} s",
        started.elapsed().as_secs()
    );
    assert!(trials >= 100, "{trials} trials");
    assert!(
        in_between > 0,
        "no kill landed while files were being written; the timing window is wrong"
    );
}
