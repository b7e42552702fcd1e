//! Writing generated files into a directory: deterministic, one writer at a
//! time, each file replaced atomically, and never touching a file promspec
//! cannot prove it wrote.
//!
//! **Ownership.** Each directory promspec writes holds a manifest
//! ([`conventions::BUILD_MANIFEST`] for `build`, [`conventions::SCHEMA_MANIFEST`]
//! for `schema --write`) listing every file it wrote with the SHA-256 of the
//! bytes written. A file is promspec's to overwrite or delete only if its
//! current content hashes to a listed value, or is byte-identical to the new
//! content. A directory without a manifest (written by a version before
//! manifests) is adopted once: a file at a path promspec produces, starting
//! with promspec's exact header, may be replaced; files promspec no longer
//! produces are never deleted without a manifest entry, only reported.
//! Nothing below the root is reached through a symbolic link, `.git` is
//! never entered, and paths come only from promspec's own conventions or a
//! validated manifest.
//!
//! **Atomicity.** [`apply`] runs under the directory's lock ([`lock`]),
//! removes temporary files an interrupted run left, writes every new file
//! to a temporary file first, records both the old and the new hash of each
//! changed file in the manifest, then renames the temporary files over the
//! targets, deletes stale files, and finally writes the manifest of the new
//! set. A rename replaces one file atomically, not many: a process killed
//! between two renames leaves each file either old or new, never partial,
//! and every one of them owned by the manifest, so the next build
//! completes the change and `build --check` reports the difference until it
//! does.
//!
//! [`plan`] only reads; [`apply`] only carries out a plan.

mod lock;
pub mod manifest;
mod tree;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

use similar::TextDiff;

use crate::compile::Output;
use crate::compile::conventions::{self, HEADER_PROBE_LEN};

pub use lock::{DirLock, LockKind};
pub use manifest::{Hash, Manifest};
use tree::Node;

/// One difference between what the specs produce and what is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that does not exist yet.
    Create {
        /// Relative path.
        path: String,
        /// New content.
        content: String,
    },
    /// A file of promspec whose content differs.
    Update {
        /// Relative path.
        path: String,
        /// Content on disk (lossy UTF-8).
        old: String,
        /// Wanted content.
        new: String,
    },
    /// A file promspec wrote that no spec produces any more.
    Delete {
        /// Relative path.
        path: String,
        /// Content on disk (lossy UTF-8).
        old: String,
    },
}

impl Change {
    /// The relative path of the change.
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. }
            | Change::Update { path, .. }
            | Change::Delete { path, .. } => path,
        }
    }
}

/// A file promspec will not touch, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The path, relative to the directory.
    pub path: String,
    /// Why, as a sentence fragment after the path.
    pub reason: String,
}

/// A file left in place that a user may want to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftAlone {
    /// The path, relative to the directory.
    pub path: String,
    /// Why it is left in place.
    pub reason: String,
}

/// Why generated files cannot be planned or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// Files at output paths that promspec cannot prove it wrote.
    #[error("{}", refusals_message(dir, refusals))]
    Refused {
        /// The directory.
        dir: PathBuf,
        /// Every refused file.
        refusals: Vec<Refusal>,
    },
    /// The manifest cannot be read.
    #[error(
        "{path}:{line}: {message}; this manifest was not written by promspec. Restore it (e.g. with git) or delete it: without a manifest promspec replaces only files that start with its header at paths it produces, and deletes nothing"
    )]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The output directory would hold the specs, or is inside `.git`.
    #[error(
        "refusing to write into `{}`: {why}; give generated files a directory of their own, e.g. `--out generated`", out.display()
    )]
    Overlap {
        /// The output directory as given.
        out: PathBuf,
        /// What overlaps.
        why: String,
    },
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

fn refusals_message(dir: &Path, refusals: &[Refusal]) -> String {
    let mut out = format!(
        "{} holds files that promspec will not replace: it replaces and deletes only files it can prove it wrote",
        dir.display()
    );
    for r in refusals {
        let _ = write!(
            out,
            "\n  {}: {}",
            tree::join(dir, &r.path).display(),
            r.reason
        );
    }
    out.push_str("\n  nothing was written; move these files away (promspec then writes its own), or restore what promspec wrote (e.g. with `git checkout`)");
    out
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuse an output directory that is or contains `specs`, or lies inside
/// a `.git` directory. Paths that do not exist yet are judged by where they
/// would be created.
pub fn check_out_dir(out: &Path, specs: &Path) -> Result<(), WriteError> {
    let out_abs = resolve(out).map_err(io_err(out))?;
    let overlap = |why: String| WriteError::Overlap {
        out: out.to_path_buf(),
        why,
    };
    if out_abs
        .components()
        .any(|c| c == Component::Normal(".git".as_ref()))
    {
        return Err(overlap("it is inside a `.git` directory".into()));
    }
    if let Ok(specs_abs) = specs.canonicalize()
        && specs_abs.starts_with(&out_abs)
    {
        let what = if specs_abs == out_abs {
            "it is the specs directory"
        } else {
            "it contains the specs directory"
        };
        return Err(overlap(format!("{what} `{}`", specs.display())));
    }
    Ok(())
}

/// `path` made absolute with every existing part canonical (links resolved)
/// and the rest, which does not exist yet, normalised by its text.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Component by component: canonical while the path exists (so `..`
    // after a link goes where the system goes), by the text afterwards.
    let mut base = PathBuf::new();
    let mut exists = true;
    for component in abs.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => base.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                base.pop();
            }
            Component::Normal(name) => {
                base.push(name);
                if exists {
                    match base.canonicalize() {
                        Ok(c) => base = c,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(base)
}

/// Create `dir` if needed and take its lock. `waiting` is called if another
/// promspec process holds it.
pub fn lock_for_writing(dir: &Path, waiting: impl FnOnce()) -> Result<DirLock, WriteError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    lock::lock(dir, LockKind::Exclusive, waiting).map_err(io_err(dir))
}

/// Take a shared lock on `dir` so that no writer changes it while it is
/// read; `None` if it does not exist (nothing to read, nothing created).
pub fn lock_for_reading(dir: &Path, waiting: impl FnOnce()) -> Result<Option<DirLock>, WriteError> {
    if !dir.is_dir() {
        return Ok(None);
    }
    lock::lock(dir, LockKind::Shared, waiting)
        .map(Some)
        .map_err(io_err(dir))
}

/// What it takes to make a directory hold exactly the outputs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Files to create, update or delete.
    pub changes: Vec<Change>,
    /// Temporary files an interrupted run left (to remove).
    pub stale_temps: Vec<String>,
    /// Files left in place that look generated but are not promspec's to delete.
    pub left_alone: Vec<LeftAlone>,
    /// How many outputs are already on disk as wanted.
    pub unchanged: usize,
    manifest_name: String,
    manifest_on_disk: Option<String>,
    /// Every hash each path may have while the change is under way.
    pending: Manifest,
    /// The manifest of the new set.
    complete: Manifest,
}

impl Plan {
    /// Whether the directory already holds exactly the outputs, with an
    /// up-to-date manifest and no leftovers of an interrupted run.
    pub fn is_up_to_date(&self) -> bool {
        self.changes.is_empty() && self.stale_temps.is_empty() && self.manifest_is_current()
    }

    fn manifest_is_current(&self) -> bool {
        self.manifest_on_disk.as_deref() == Some(self.complete.render().as_str())
    }

    /// A unified diff of every change (manifest included), for `build --check`.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let (old, new) = match change {
                Change::Create { content, .. } => ("", content.as_str()),
                Change::Update { old, new, .. } => (old.as_str(), new.as_str()),
                Change::Delete { old, .. } => (old.as_str(), ""),
            };
            unified(&mut out, change.path(), old, new);
        }
        if !self.manifest_is_current() {
            let old = self.manifest_on_disk.as_deref().unwrap_or("");
            unified(&mut out, &self.manifest_name, old, &self.complete.render());
        }
        for temp in &self.stale_temps {
            let _ = writeln!(
                out,
                "temporary file {temp} was left by an interrupted run and will be removed"
            );
        }
        out
    }

    /// How many files differ (manifest and stale temporary files included).
    pub fn difference_count(&self) -> usize {
        self.changes.len() + self.stale_temps.len() + usize::from(!self.manifest_is_current())
    }
}

fn unified(out: &mut String, path: &str, old: &str, new: &str) {
    let diff = TextDiff::from_lines(old, new);
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
    );
}

/// Compare `outputs` with the directory `dir`, whose manifest is
/// `manifest_name`. Fails without side effects if an output would replace a
/// file promspec cannot prove it wrote.
pub fn plan(dir: &Path, outputs: &[Output], manifest_name: &str) -> Result<Plan, WriteError> {
    let (manifest, manifest_on_disk) = read_manifest(dir, manifest_name)?;
    let adopting = manifest_on_disk.is_none();
    let mut plan = Plan {
        changes: Vec::new(),
        stale_temps: Vec::new(),
        left_alone: Vec::new(),
        unchanged: 0,
        manifest_name: manifest_name.to_string(),
        manifest_on_disk,
        pending: Manifest::new(),
        complete: Manifest::new(),
    };
    let mut refusals = Vec::new();
    let mut refuse = |path: &str, reason: String| {
        // A blocked directory is named once, not once per file below it.
        if !refusals.iter().any(|r: &Refusal| r.path == path) {
            refusals.push(Refusal {
                path: path.to_string(),
                reason,
            })
        }
    };
    let produced: BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();

    for output in outputs {
        let rel = output.path.as_str();
        if let Err(why) = manifest::check_relative_path(rel) {
            refuse(rel, format!("is not a path inside the directory: it {why}"));
            continue;
        }
        let new_hash = Hash::of(output.content.as_bytes());
        plan.complete.insert(rel, new_hash.clone());
        plan.pending.insert(rel, new_hash.clone());
        let path = tree::join(dir, rel);
        match tree::inspect(dir, rel).map_err(io_err(&path))? {
            Node::Missing => plan.changes.push(Change::Create {
                path: rel.to_string(),
                content: output.content.clone(),
            }),
            Node::File => {
                let hash = tree::hash_file(&path).map_err(io_err(&path))?;
                if hash == new_hash {
                    plan.unchanged += 1;
                    continue;
                }
                let owned = manifest.contains(rel, &hash)
                    || (adopting
                        && conventions::has_header_for(
                            rel,
                            &tree::read_start(&path, HEADER_PROBE_LEN).map_err(io_err(&path))?,
                        ));
                if !owned {
                    refuse(
                        rel,
                        not_owned_reason(&manifest, adopting, rel, manifest_name),
                    );
                    continue;
                }
                plan.pending.insert(rel, hash);
                plan.changes.push(Change::Update {
                    path: rel.to_string(),
                    old: read_lossy(&path)?,
                    new: output.content.clone(),
                });
            }
            Node::Dir => refuse(
                rel,
                "is a directory; promspec only replaces regular files it wrote".into(),
            ),
            Node::NotAFile(what) => refuse(
                rel,
                format!("is {what}; promspec only replaces regular files it wrote"),
            ),
            Node::BlockedBy { parent, what } => refuse(
                &parent,
                format!(
                    "is {what} inside the output directory; promspec does not write through it"
                ),
            ),
        }
    }

    // Files of the previous set that no spec produces any more.
    for rel in manifest.paths().filter(|p| !produced.contains(p)) {
        let path = tree::join(dir, rel);
        match tree::inspect(dir, rel).map_err(io_err(&path))? {
            Node::Missing => {}
            Node::File => {
                let hash = tree::hash_file(&path).map_err(io_err(&path))?;
                if manifest.contains(rel, &hash) {
                    plan.changes.push(Change::Delete {
                        path: rel.to_string(),
                        old: read_lossy(&path)?,
                    });
                } else {
                    plan.left_alone.push(LeftAlone {
                        path: rel.to_string(),
                        reason: "no spec produces it any more, but it was changed since promspec wrote it; left in place and no longer tracked".into(),
                    });
                }
            }
            _ => plan.left_alone.push(LeftAlone {
                path: rel.to_string(),
                reason: "no spec produces it any more, and it is no longer a regular file; left in place and no longer tracked".into(),
            }),
        }
    }
    plan.pending.merge(&manifest);

    // Leftovers next to the files promspec writes: temporary files of an
    // interrupted run, and generated-looking files it has no record of.
    let dirs: BTreeSet<&str> = std::iter::once("")
        .chain(produced.iter().map(|p| tree::parent(p)))
        .chain(manifest.paths().map(tree::parent))
        .collect();
    for d in dirs {
        let full = tree::join(dir, d);
        for name in tree::files_in(dir, d).map_err(io_err(&full))? {
            let rel = if d.is_empty() {
                name.clone()
            } else {
                format!("{d}/{name}")
            };
            if conventions::is_temp_name(&name) {
                plan.stale_temps.push(rel);
                continue;
            }
            if produced.contains(rel.as_str()) || manifest.lists(&rel) || name == manifest_name {
                continue;
            }
            let path = full.join(&name);
            let start = tree::read_start(&path, HEADER_PROBE_LEN).map_err(io_err(&path))?;
            if conventions::has_header_for(&rel, &start) {
                plan.left_alone.push(LeftAlone {
                    path: rel,
                    reason: format!(
                        "starts with promspec's header, but no spec produces it and {manifest_name} does not list it; left in place (delete it if it is stale)"
                    ),
                });
            }
        }
    }

    if !refusals.is_empty() {
        return Err(WriteError::Refused {
            dir: dir.to_path_buf(),
            refusals,
        });
    }
    Ok(plan)
}

fn not_owned_reason(manifest: &Manifest, adopting: bool, rel: &str, manifest_name: &str) -> String {
    if manifest.lists(rel) {
        format!(
            "was changed since promspec wrote it (its SHA-256 is not the one in {manifest_name})"
        )
    } else if adopting {
        "was not generated by promspec (its first line is not promspec's header)".into()
    } else {
        format!("is not listed in {manifest_name}, so promspec cannot prove it wrote it")
    }
}

fn read_lossy(path: &Path) -> Result<String, WriteError> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn read_manifest(dir: &Path, name: &str) -> Result<(Manifest, Option<String>), WriteError> {
    let path = dir.join(name);
    match tree::inspect(dir, name).map_err(io_err(&path))? {
        Node::Missing => Ok((Manifest::new(), None)),
        Node::File => {
            let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
            let manifest =
                Manifest::parse(&text).map_err(|(line, message)| WriteError::Manifest {
                    path: path.clone(),
                    line,
                    message,
                })?;
            Ok((manifest, Some(text)))
        }
        _ => Err(WriteError::Refused {
            dir: dir.to_path_buf(),
            refusals: vec![Refusal {
                path: name.to_string(),
                reason: "is not a regular file; promspec keeps its manifest there".into(),
            }],
        }),
    }
}

/// Carry out `plan` in `dir`, which the caller has locked with
/// [`lock_for_writing`] since planning.
pub fn apply(dir: &Path, plan: &Plan) -> Result<(), WriteError> {
    for temp in &plan.stale_temps {
        let path = tree::join(dir, temp);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
    }

    // 1. Every new content into a temporary file beside its target.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let stage = |staged: &mut Vec<(PathBuf, PathBuf)>| -> Result<(), WriteError> {
        for change in &plan.changes {
            let (rel, content) = match change {
                Change::Create { path, content } => (path, content),
                Change::Update { path, new, .. } => (path, new),
                Change::Delete { .. } => continue,
            };
            let target = tree::join(dir, rel);
            tree::create_parents(dir, rel).map_err(io_err(&target))?;
            let temp = tree::join(dir, tree::parent(rel))
                .join(conventions::temp_name(tree::file_name(rel)));
            // An update keeps the file's mode; a new file gets 0666 less the umask.
            let mode = match change {
                Change::Update { .. } => Some(
                    std::fs::symlink_metadata(&target)
                        .map_err(io_err(&target))?
                        .permissions(),
                ),
                _ => None,
            };
            tree::write_new(&temp, content.as_bytes(), mode).map_err(io_err(&temp))?;
            staged.push((temp, target));
        }
        tree::for_each_parallel(staged, |(temp, _)| tree::sync_file(temp))
            .map_err(|((temp, _), e)| io_err(temp)(e))?;
        Ok(())
    };
    if let Err(e) = stage(&mut staged) {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }

    // 2. The manifest accepts the old and the new content of every file.
    let deletes = plan
        .changes
        .iter()
        .any(|c| matches!(c, Change::Delete { .. }));
    if !staged.is_empty() || deletes {
        write_manifest(dir, &plan.manifest_name, &plan.pending)?;
    }

    // 3. Each file from old to new in one rename, then stale files out.
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    tree::for_each_parallel(&staged, |(temp, target)| std::fs::rename(temp, target))
        .map_err(|((_, target), e)| io_err(target)(e))?;
    for (_, target) in &staged {
        touched.insert(target.parent().unwrap_or(dir).to_path_buf());
    }
    for change in &plan.changes {
        if let Change::Delete { path, .. } = change {
            let target = tree::join(dir, path);
            match std::fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&target)(e)),
            }
            touched.insert(target.parent().unwrap_or(dir).to_path_buf());
        }
    }
    for d in &touched {
        tree::sync_dir(d).map_err(io_err(d))?;
    }

    // 4. The manifest of the new set, last.
    if !plan.manifest_is_current() || !staged.is_empty() || deletes {
        write_manifest(dir, &plan.manifest_name, &plan.complete)?;
    }
    Ok(())
}

fn write_manifest(dir: &Path, name: &str, manifest: &Manifest) -> Result<(), WriteError> {
    let target = dir.join(name);
    let temp = dir.join(conventions::temp_name(name));
    let mode = std::fs::symlink_metadata(&target)
        .ok()
        .filter(|m| m.file_type().is_file())
        .map(|m| m.permissions());
    match std::fs::remove_file(&temp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&temp)(e)),
    }
    tree::write_new(&temp, manifest.render().as_bytes(), mode).map_err(io_err(&temp))?;
    tree::sync_file(&temp).map_err(io_err(&temp))?;
    std::fs::rename(&temp, &target).map_err(io_err(&target))?;
    tree::sync_dir(dir).map_err(io_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::conventions::{BUILD_MANIFEST, yaml_header};

    fn out(path: &str, body: &str) -> Output {
        Output {
            path: path.into(),
            content: format!("{}{body}\n", yaml_header("specs/x.yaml")),
        }
    }

    fn build(root: &Path, outputs: &[Output]) -> Plan {
        let plan = plan(root, outputs, BUILD_MANIFEST).unwrap();
        apply(root, &plan).unwrap();
        plan
    }

    #[test]
    fn creates_updates_deletes_what_it_wrote_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let first = build(root, &[out("a/x.yml", "x"), out("a/old.yml", "old")]);
        assert_eq!(first.changes.len(), 2);
        assert!(
            plan(
                root,
                &[out("a/x.yml", "x"), out("a/old.yml", "old")],
                BUILD_MANIFEST
            )
            .unwrap()
            .is_up_to_date()
        );

        std::fs::write(root.join("a/mine.yml"), "hand-written\n").unwrap();
        let second = build(root, &[out("a/x.yml", "x2")]);
        let kinds: Vec<_> = second
            .changes
            .iter()
            .map(|c| match c {
                Change::Create { .. } => "create",
                Change::Update { .. } => "update",
                Change::Delete { .. } => "delete",
            })
            .collect();
        assert_eq!(kinds, ["update", "delete"]);
        assert!(!root.join("a/old.yml").exists());
        assert_eq!(
            std::fs::read_to_string(root.join("a/mine.yml")).unwrap(),
            "hand-written\n"
        );

        let clash = [out("a/x.yml", "x2"), out("a/mine.yml", "y")];
        assert!(matches!(
            plan(root, &clash, BUILD_MANIFEST),
            Err(WriteError::Refused { .. })
        ));
    }

    #[test]
    fn a_file_changed_by_hand_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        build(root, &[out("a/x.yml", "x")]);
        let edited = format!("{}edited\n", yaml_header("specs/x.yaml"));
        std::fs::write(root.join("a/x.yml"), &edited).unwrap();
        let Err(WriteError::Refused { refusals, .. }) =
            plan(root, &[out("a/x.yml", "y")], BUILD_MANIFEST)
        else {
            panic!("an edited file must be refused");
        };
        assert_eq!(refusals[0].path, "a/x.yml");
        assert!(
            refusals[0]
                .reason
                .contains("changed since promspec wrote it")
        );
        // It is no longer produced: left alone, not deleted.
        let p = build(root, &[out("a/y.yml", "y")]);
        assert_eq!(p.left_alone.len(), 1);
        assert_eq!(
            std::fs::read_to_string(root.join("a/x.yml")).unwrap(),
            edited
        );
    }

    #[test]
    fn check_out_dir_refuses_the_specs_directory_and_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let specs = dir.path().join("specs");
        std::fs::create_dir(&specs).unwrap();
        assert!(check_out_dir(&specs, &specs).is_err());
        assert!(check_out_dir(dir.path(), &specs).is_err());
        assert!(check_out_dir(&specs.join(".."), &specs).is_err());
        assert!(check_out_dir(&dir.path().join("new/.."), &specs).is_err());
        assert!(check_out_dir(&dir.path().join(".git/out"), &specs).is_err());
        assert!(check_out_dir(&dir.path().join("generated"), &specs).is_ok());
        assert!(check_out_dir(&specs.join("generated"), &specs).is_ok());
    }
}
