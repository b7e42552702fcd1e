//! The manifest: which files of a directory promspec wrote, with the SHA-256
//! of the bytes it wrote.
//!
//! One line per file, `<sha256>  <path>` (the format of `sha256sum`, so
//! `sha256sum -c .promspec-manifest` checks a directory by hand), sorted,
//! after a comment line. A path may appear with two hashes while a build is
//! replacing files: then either content is promspec's. Paths are relative,
//! `/`-separated, and never leave the directory or enter `.git`.
//!
//! This module parses and renders the text only; [`super`] reads and writes it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use sha2::{Digest, Sha256};

/// The first line of every manifest.
pub const MANIFEST_COMMENT: &str = "# promspec manifest: the files promspec wrote here and the SHA-256 of their content. Do not edit.";

/// The SHA-256 of some bytes, as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(String);

impl Hash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Hash {
        Hash::from_digest(Sha256::digest(bytes).as_slice())
    }

    /// The hash of everything `reader` yields, read in blocks.
    pub fn of_reader(mut reader: impl Read) -> std::io::Result<Hash> {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => hasher.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Hash::from_digest(hasher.finalize().as_slice()))
    }

    fn from_digest(digest: &[u8]) -> Hash {
        use std::fmt::Write as _;
        let mut hex = String::with_capacity(64);
        for b in digest {
            let _ = write!(hex, "{b:02x}");
        }
        Hash(hex)
    }

    fn parse(text: &str) -> Option<Hash> {
        (text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Hash(text.to_string()))
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Files and the hashes of the contents promspec wrote into them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    entries: BTreeMap<String, BTreeSet<Hash>>,
}

impl Manifest {
    /// An empty manifest.
    pub fn new() -> Manifest {
        Manifest::default()
    }

    /// Record that promspec wrote `hash` into `path`.
    pub fn insert(&mut self, path: &str, hash: Hash) {
        self.entries
            .entry(path.to_string())
            .or_default()
            .insert(hash);
    }

    /// Everything of `other` as well.
    pub fn merge(&mut self, other: &Manifest) {
        for (path, hashes) in &other.entries {
            for hash in hashes {
                self.insert(path, hash.clone());
            }
        }
    }

    /// Whether promspec wrote content with `hash` into `path`.
    pub fn contains(&self, path: &str, hash: &Hash) -> bool {
        self.entries.get(path).is_some_and(|h| h.contains(hash))
    }

    /// Whether `path` has an entry.
    pub fn lists(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The manifest's text.
    pub fn render(&self) -> String {
        let mut out = String::from(MANIFEST_COMMENT);
        out.push('\n');
        for (path, hashes) in &self.entries {
            for hash in hashes {
                out.push_str(hash.as_str());
                out.push_str("  ");
                out.push_str(path);
                out.push('\n');
            }
        }
        out
    }

    /// Read a manifest's text; an error names the 1-based line and what is wrong.
    pub fn parse(text: &str) -> Result<Manifest, (usize, String)> {
        let mut manifest = Manifest::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((hash, path)) = line.split_once("  ") else {
                return Err((number, "expected `<sha256>  <path>`".into()));
            };
            let hash = Hash::parse(hash).ok_or_else(|| {
                (
                    number,
                    "the hash is not 64 lowercase hex digits".to_string(),
                )
            })?;
            if let Err(why) = check_relative_path(path) {
                return Err((number, format!("`{path}` {why}")));
            }
            manifest.insert(path, hash);
        }
        Ok(manifest)
    }
}

/// Why `path` is not a path promspec may own inside a directory: it must be
/// relative, `/`-separated, made of plain names, and stay out of `.git`.
pub fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.contains('\\') || path.contains('\0') {
        return Err("contains a backslash or a NUL byte");
    }
    for part in path.split('/') {
        match part {
            "" => return Err("is absolute or has an empty component"),
            "." | ".." => return Err("has a `.` or `..` component"),
            ".git" => return Err("is inside `.git`"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_two_hashes_per_path() {
        let mut m = Manifest::new();
        m.insert("prometheus/a.rules.yml", Hash::of(b"a"));
        m.insert("docs/a.md", Hash::of(b"old"));
        m.insert("docs/a.md", Hash::of(b"new"));
        let text = m.render();
        assert!(text.starts_with(MANIFEST_COMMENT));
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        assert!(m.contains("docs/a.md", &Hash::of(b"old")));
        assert!(m.contains("docs/a.md", &Hash::of(b"new")));
        assert!(!m.contains("docs/a.md", &Hash::of(b"other")));
    }

    #[test]
    fn known_sha256() {
        assert_eq!(
            Hash::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Hash::of_reader(&b"abc"[..]).unwrap(), Hash::of(b"abc"));
    }

    #[test]
    fn rejects_paths_outside_the_directory() {
        let hash = Hash::of(b"x");
        for path in [
            "../x",
            "/etc/passwd",
            "a/../../x",
            ".git/config",
            "a//b",
            "a\\b",
            "./a",
        ] {
            let text = format!("{}  {path}\n", hash.as_str());
            assert!(Manifest::parse(&text).is_err(), "{path}");
        }
        assert!(Manifest::parse("nonsense\n").is_err());
        assert!(Manifest::parse(&format!("{}  x\n", "A".repeat(64))).is_err());
    }
}
