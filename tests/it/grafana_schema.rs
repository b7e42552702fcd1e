//! Every generated dashboard type-checks against Grafana's own published
//! types (`@grafana/schema`), panel options and custom field config
//! included.
//!
//! `scripts/test.sh` installs the pinned `@grafana/schema` and `typescript`
//! into `tests/grafana-schema/node_modules` with `npm ci`. A missing
//! install fails the test: it is never skipped. The type the dashboards
//! must have is `CheckedDashboard` in `tests/grafana-schema/dashboard.ts`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::root;
use serde_json::{Value, json};

fn schema_dir() -> PathBuf {
    root().join("tests/grafana-schema")
}

/// The generated dashboards: (file stem, JSON text).
fn dashboards() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("generated/grafana"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Type-check each `(name, json)` as a `CheckedDashboard` in one `tsc` run.
/// Returns tsc's success and the error lines per module name.
fn tsc(modules: &[(String, String)]) -> (bool, Vec<(String, String)>) {
    let tsc = schema_dir().join("node_modules/typescript/bin/tsc");
    assert!(
        tsc.exists() && schema_dir().join("node_modules/@grafana/schema").exists(),
        "the Grafana types are not installed: run `npm ci` in tests/grafana-schema \
         (scripts/test.sh does it)"
    );
    let dir = tempfile::Builder::new()
        .prefix(".check-")
        .tempdir_in(schema_dir())
        .unwrap();
    let mut files = vec!["../dashboard.ts".to_string()];
    for (name, text) in modules {
        let file = format!("{name}.ts");
        std::fs::write(
            dir.path().join(&file),
            format!(
                "import type {{ CheckedDashboard }} from '../dashboard';\n\
                 export const dashboard: CheckedDashboard = {};\n",
                text.trim_end()
            ),
        )
        .unwrap();
        files.push(file);
    }
    let tsconfig = json!({
        "compilerOptions": {
            "strict": true,
            "noEmit": true,
            "skipLibCheck": true,
            "module": "esnext",
            "moduleResolution": "bundler",
            "target": "es2022",
            "types": [],
        },
        "files": files,
    });
    std::fs::write(
        dir.path().join("tsconfig.json"),
        serde_json::to_string_pretty(&tsconfig).unwrap(),
    )
    .unwrap();
    let out = Command::new("node")
        .arg(&tsc)
        .args(["--pretty", "false", "-p"])
        .arg(dir.path().join("tsconfig.json"))
        .output()
        .expect("node must be installed to run tsc");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.trim().is_empty(), "tsc wrote to stderr:\n{stderr}");
    let errors = stdout
        .lines()
        .filter(|l| l.contains("): error TS"))
        .map(|l| {
            let file = l.split('(').next().unwrap_or_default();
            let name = Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, l.to_string())
        })
        .collect();
    (out.status.success(), errors)
}

#[test]
fn every_generated_dashboard_has_grafanas_published_type() {
    let dashboards = dashboards();
    let names: Vec<&str> = dashboards.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "camp-backend",
            "feature-flag-api",
            "mirai-knowledge-app",
            "mycats",
            "new-feature",
            "overview"
        ],
        "one dashboard per bundled spec and the overview"
    );
    let (ok, errors) = tsc(&dashboards);
    assert!(
        ok && errors.is_empty(),
        "tsc rejects generated dashboards:\n{}",
        errors
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Apply `edit` to a copy of the `new-feature` dashboard.
fn broken(name: &str, edit: impl FnOnce(&mut Value)) -> (String, String) {
    let (_, text) = dashboards()
        .into_iter()
        .find(|(n, _)| n == "new-feature")
        .unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    edit(&mut value);
    (
        name.to_string(),
        serde_json::to_string_pretty(&value).unwrap(),
    )
}

fn first_panel<'a>(d: &'a mut Value, kind: &str) -> &'a mut Value {
    d["panels"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["type"] == kind)
        .unwrap()
}

#[test]
fn the_type_check_catches_unknown_fields_wrong_types_and_missing_fields() {
    let cases = vec![
        broken("unknown-dashboard-field", |d| {
            d["schemaVerison"] = json!(39);
        }),
        broken("wrong-type", |d| d["schemaVersion"] = json!("39")),
        broken("missing-required-field", |d| {
            d.as_object_mut().unwrap().remove("schemaVersion");
        }),
        broken("unknown-custom-field", |d| {
            first_panel(d, "timeseries")["fieldConfig"]["defaults"]["custom"]["thresholdStyle"] =
                json!({"mode": "line"});
        }),
        broken("unknown-enum-value", |d| {
            first_panel(d, "timeseries")["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]
                ["mode"] = json!("lines");
        }),
        broken("missing-legend", |d| {
            first_panel(d, "timeseries")["options"]
                .as_object_mut()
                .unwrap()
                .remove("legend");
        }),
        broken("unknown-stat-option", |d| {
            first_panel(d, "stat")["options"]["colourMode"] = json!("background");
        }),
        broken("wrong-threshold-step", |d| {
            first_panel(d, "stat")["fieldConfig"]["defaults"]["thresholds"]["steps"][0]["value"] =
                json!("3");
        }),
        broken("unknown-panel-type", |d| {
            first_panel(d, "stat")["type"] = json!("singlestat");
        }),
        broken("unknown-target-field", |d| {
            first_panel(d, "timeseries")["targets"][0]["exp"] = json!("up");
        }),
    ];
    let (ok, errors) = tsc(&cases);
    assert!(!ok, "tsc accepted broken dashboards");
    for (name, _) in &cases {
        assert!(
            errors.iter().any(|(n, _)| n == name),
            "tsc did not reject `{name}`; its errors were:\n{errors:#?}"
        );
    }
}
