//! No input makes promspec panic: every prefix of every bundled spec and of
//! every invalid fixture loads to diagnostics, never to a crash.

use std::path::Path;

use promspec::pipeline;

#[test]
fn truncated_specs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = std::fs::read_to_string(root.join("specs/promspec.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path();
    let mut inputs = Vec::new();
    for sub in ["specs", "tests/fixtures/spec-invalid"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                inputs.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut loads = 0;
    for text in &inputs {
        let cuts: Vec<usize> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(11)
            .collect();
        for cut in cuts {
            std::fs::write(specs.join("promspec.yaml"), &project).unwrap();
            std::fs::write(specs.join("cut.yaml"), &text[..cut]).unwrap();
            let loaded = pipeline::load(specs).unwrap();
            // Any error is fine; a panic is not. A clean prefix must compile.
            if let Some(ws) = loaded
                .workspace
                .as_ref()
                .filter(|_| !loaded.diagnostics.has_errors())
            {
                pipeline::compile(ws);
            }
            loads += 1;
        }
        // The same text as a project file.
        for cut in (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(53)
        {
            std::fs::write(specs.join("promspec.yaml"), &text[..cut]).unwrap();
            let _ = std::fs::remove_file(specs.join("cut.yaml"));
            let _ = pipeline::load(specs).unwrap();
            loads += 1;
        }
    }
    assert!(loads > 1000, "{loads}");
}
