//! The bodies of the fuzz targets: one function per target, taking the raw
//! input bytes. The libFuzzer binaries in `fuzz/fuzz_targets/` call them, and
//! the test suite replays the committed corpus and every crasher through them
//! (`tests/it/mutation.rs`), so a crasher found once stays a regression test.
//!
//! A target only calls promspec's public API and panics only where promspec
//! does, or where a documented contract of that API is broken (a span outside
//! its text, JSON output that does not parse).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use promspec::compile::{self, unittests::gotemplate};
use promspec::diag::Diagnostic;
use promspec::diag::render::{self, OutputFormat, RenderOptions};
use promspec::lint::run::{self, Input};
use promspec::lint::{self, Settings};
use promspec::pipeline;
use promspec::promql::{self, Dialect};
use promspec::source::{SourceId, SourceMap, Span};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its directory under `fuzz/corpus/`).
pub const TARGETS: [(&str, Target); 5] = [
    ("spec_load", spec_load),
    ("rule_lint", rule_lint),
    ("promql", promql),
    ("template", template),
    ("render", render),
];

/// The bundled project file, used when an input holds only a feature spec.
pub const PROJECT: &str = include_str!("../../specs/promspec.yaml");

/// In a `spec_load` input, the line that separates a project file (before)
/// from a feature spec (after). Without it the input is a feature spec.
pub const FEATURE_MARK: &str = "#@@ feature\n";

thread_local! {
    static SPEC_DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// The spec loader, linter and compiler on one feature spec (and optionally
/// a project file) written to a temporary specs directory.
pub fn spec_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (project, feature) = match text.split_once(FEATURE_MARK) {
        Some((p, f)) => (p, f),
        None => (PROJECT, &*text),
    };
    SPEC_DIR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let dir = cell.get_or_insert_with(|| tempfile::tempdir().expect("temporary directory"));
        let dir = dir.path();
        load_specs(dir, project, feature, true);
    });
}

/// Write `project` and `feature` as the only files of `dir`, then lint,
/// load, compile and render, as `promspec lint` and `promspec build` do.
/// With `thorough` unset (for speed), the unit tests, the slowest target,
/// are not compiled and only the cheap renderers run.
pub fn load_specs(dir: &Path, project: &str, feature: &str, thorough: bool) {
    for entry in std::fs::read_dir(dir).expect("read the specs directory") {
        std::fs::remove_file(entry.expect("directory entry").path()).expect("remove a spec");
    }
    std::fs::write(dir.join("promspec.yaml"), project).expect("write the project file");
    std::fs::write(dir.join(feature_file_name(feature)), feature).expect("write the spec");

    if let Ok(report) = lint::load::lint(&[dir.to_path_buf()]) {
        let diagnostics: Vec<Diagnostic> = report.diagnostics.iter().cloned().collect();
        if thorough {
            render_all(&diagnostics, &report.sources);
        } else {
            let options = RenderOptions::plain(100);
            for format in [OutputFormat::Concise, OutputFormat::Json] {
                render::emit(
                    format,
                    &diagnostics,
                    &report.sources,
                    options,
                    &mut std::io::sink(),
                )
                .expect("writing to a sink succeeds");
            }
        }
    }
    if let Ok(loaded) = pipeline::load(dir)
        && let Some(ws) = &loaded.workspace
        && !loaded.diagnostics.has_errors()
    {
        if thorough {
            let outputs = pipeline::compile(ws);
            assert!(!outputs.is_empty(), "a clean workspace compiles to files");
        } else {
            let (p, f) = (&ws.project, &ws.features);
            let _ = compile::prometheus::compile(p, f);
            let _ = compile::alertmanager::compile(p, f);
            let _ = compile::grafana::compile(p, f);
            let _ = compile::docs::compile(p, f);
        }
    }
}

/// The file name a feature spec must have to compile: its slug, when the
/// text names one that is a plain file name.
pub fn feature_file_name(feature: &str) -> PathBuf {
    let slug = feature
        .lines()
        .find_map(|l| l.strip_prefix("feature:"))
        .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|s| {
            !s.is_empty()
                && s.len() <= 100
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && *s != "promspec"
        });
    PathBuf::from(format!("{}.yaml", slug.unwrap_or("feature")))
}

/// The rule-file loader and every lint rule on a plain rule file or a
/// `PrometheusRule` manifest, then every renderer on the findings.
pub fn rule_lint(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut sources = SourceMap::new();
    let id = sources.add("rules.yml", &*text);
    let (diagnostics, sources) = lint_rule_source(sources, id);
    render_all(&diagnostics, &sources);
}

/// Load `id` of `sources` as an explicitly named rule file and lint it with
/// the default settings; the findings sorted as `promspec lint` sorts them.
pub fn lint_rule_source(sources: SourceMap, id: SourceId) -> (Vec<Diagnostic>, SourceMap) {
    let (target, mut diagnostics) = lint::load::load_rule_file(&sources, id, true, 0);
    let targets: Vec<_> = target.into_iter().collect();
    let settings = [Settings::default()];
    diagnostics.extend(run::run(&Input {
        sources: &sources,
        settings: &settings,
        targets: &targets,
        workspaces: &[],
    }));
    let mut sorted = promspec::diag::Diagnostics::new();
    sorted.extend(diagnostics);
    sorted.sort();
    (sorted.into_vec(), sources)
}

/// The PromQL facade in both dialects: parse, then every derived fact.
pub fn promql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for dialect in [Dialect::Prometheus2, Dialect::Prometheus3] {
        match promql::parse(&text, dialect) {
            Ok(expr) => {
                assert_eq!(expr.text(), &*text);
                let _ = format!("{:?}", expr.facts());
                let _ = expr.value_type().as_str();
                let _ = format!("{:?}", expr.output_labels());
            }
            Err(e) => {
                assert!(
                    e.span.start <= e.span.end && e.span.end <= text.len(),
                    "syntax error span {:?} outside the {}-byte expression",
                    e.span,
                    text.len()
                );
                assert!(!e.message.is_empty(), "a syntax error says what is wrong");
            }
        }
    }
}

/// Values an alert template is rendered with: ordinary ones and the ones
/// that break number formatting.
pub const VALUES: [f64; 12] = [
    0.0,
    1.0,
    -1.5,
    0.123456789,
    1e20,
    2e19,
    -1e300,
    1e-300,
    f64::MAX,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// The Go-template checker (`lint::template::scan`) and the unit tests'
/// template renderer, plus its number formatters, on one template.
pub fn template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let scan = lint::template::scan(&text);
    let ranges = scan
        .problem
        .iter()
        .map(|p| p.range.clone())
        .chain(scan.labels.iter().map(|l| l.range.clone()))
        .chain(scan.values.iter().cloned());
    for range in ranges {
        assert!(
            text.get(range.clone()).is_some(),
            "template range {range:?} is not a slice of the {}-byte text",
            text.len()
        );
    }
    let labels: BTreeMap<String, String> = [
        ("instance", "host:9090"),
        ("job", "日本語"),
        ("severity", "critical"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // A value from the input's last eight bytes, to reach every float.
    let tail = data.len().saturating_sub(8);
    let mut bits = [0u8; 8];
    bits[..data.len() - tail].copy_from_slice(&data[tail..]);
    let fuzzed = f64::from_le_bytes(bits);
    if let Ok(t) = gotemplate::Template::parse(&text) {
        for value in VALUES.into_iter().chain([fuzzed]) {
            let _ = t.render(&labels, value);
        }
    }
    for value in VALUES.into_iter().chain([fuzzed]) {
        let _ = gotemplate::humanize(value);
        let _ = gotemplate::humanize1024(value);
        let _ = gotemplate::humanize_duration(value);
        let _ = gotemplate::go_shortest(value);
        let _ = gotemplate::go_g(value, 4);
    }
}

/// Every renderer on the findings of a fuzzed rule file plus diagnostics
/// whose spans, messages and labels come from the input.
pub fn render(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let mut sources = SourceMap::new();
    let id = sources.add("fuzzed/ファイル.yml", text.as_str());
    let other = sources.add("other.yml", "groups: []\n");
    let (mut diagnostics, sources) = lint_rule_source(sources, id);
    diagnostics.extend(synthetic(&text, id, other, data));
    render_all(&diagnostics, &sources);
}

/// Diagnostics made from the input: every span lies on character boundaries
/// of the text (as every span promspec makes does), the messages are pieces
/// of the text.
fn synthetic(text: &str, id: SourceId, other: SourceId, data: &[u8]) -> Vec<Diagnostic> {
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    let pick = |seed: u8, salt: usize| boundaries[(seed as usize * 257 + salt) % boundaries.len()];
    let ids = ["promql/syntax", "spec/parse", "alerts/missing-for"];
    data.chunks(4)
        .take(16)
        .enumerate()
        .map(|(i, c)| {
            let get = |k: usize| c.get(k).copied().unwrap_or(0);
            let (a, b) = (pick(get(0), i), pick(get(1), i * 31));
            let span = Span::new(id, a.min(b)..a.max(b));
            let message = text.get(a.min(b)..a.max(b)).unwrap_or_default();
            let d = if get(2) % 2 == 0 {
                Diagnostic::error(ids[i % ids.len()], message)
            } else {
                Diagnostic::warning(ids[i % ids.len()], format!("«{message}»"))
            };
            match get(3) % 4 {
                0 => d,
                1 => d.with_label(span, message),
                2 => d
                    .with_label(span, "")
                    .with_secondary(Span::new(other, 0..6), message)
                    .with_help(message),
                _ => d
                    .with_secondary(span, "context")
                    .with_label(Span::new(id, a..a), "here")
                    .with_help(""),
            }
        })
        .collect()
}

/// Render `diagnostics` in every output format, with and without colours, at
/// two widths; the JSON and SARIF outputs must be valid JSON.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap) {
    for (name, format) in OutputFormat::ALL {
        let widths: &[(bool, usize)] = if format == OutputFormat::Human {
            &[(false, 100), (true, 30)]
        } else {
            &[(false, 100)]
        };
        for &(color, width) in widths {
            let mut out = Vec::new();
            render::emit(
                format,
                diagnostics,
                sources,
                RenderOptions {
                    color,
                    ..RenderOptions::plain(width)
                },
                &mut out,
            )
            .expect("writing to memory succeeds");
            if matches!(format, OutputFormat::Json | OutputFormat::Sarif) {
                let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&out);
                assert!(parsed.is_ok(), "the {name} output is not JSON: {parsed:?}");
            }
        }
    }
}
