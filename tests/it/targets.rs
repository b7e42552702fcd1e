//! Beyond one Prometheus: every deployment target's output is accepted by
//! the engine's own validation where it is installed here (promtool, vmalert
//! `-dryRun`) and by its published schema where it is not (the
//! prometheus-operator `PrometheusRule` CRD, with the jsonschema crate).
//!
//! The bundled project deploys to every target, so the outputs judged here
//! are the ones in `generated/`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{root, text, yaml_to_json};

/// Every generated file of `target` (`generated/<target>/*`), with its JSON.
fn outputs(target: &str) -> Vec<(String, Value)> {
    let ws = promspec::pipeline::load(&root().join("specs"))
        .unwrap()
        .workspace
        .unwrap();
    let found: Vec<(String, Value)> = promspec::pipeline::compile(&ws)
        .into_iter()
        .filter(|o| o.path.starts_with(&format!("{target}/")))
        .map(|o| {
            let json = yaml_to_json(&o.content);
            (o.path, json)
        })
        .collect();
    assert_eq!(
        found.len(),
        ws.features.len(),
        "{target}: one file per feature"
    );
    found
}

fn promtool_check(groups: &Value, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, json!({ "groups": groups }).to_string()).unwrap();
    let out = Command::new("promtool")
        .arg("check")
        .arg("rules")
        .arg(&path)
        .output()
        .expect("promtool must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{what}: promtool rejects the groups:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Remove `keys` from every group, asserting each group had them: exactly
/// the documented extras, nothing else.
fn strip_group_fields(groups: &mut Value, keys: &[&str]) {
    for g in groups.as_array_mut().unwrap() {
        let map = g.as_object_mut().unwrap();
        for k in keys {
            assert!(map.remove(*k).is_some(), "group without `{k}`: {map:?}");
        }
    }
}

fn crd_validator() -> jsonschema::Validator {
    let crd = std::fs::read_to_string(
        root()
            .join("tests/reference/prometheus-operator/monitoring.coreos.com_prometheusrules.yaml"),
    )
    .unwrap();
    let crd = yaml_to_json(&crd);
    let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    assert!(schema.is_object(), "the CRD has an OpenAPI schema");
    jsonschema::validator_for(schema).unwrap()
}

#[test]
fn prometheus_rule_manifests_match_the_crd_and_their_groups_pass_promtool() {
    let validator = crd_validator();
    for (path, manifest) in outputs("prometheus-operator") {
        let errors: Vec<String> = validator
            .iter_errors(&manifest)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
        assert_eq!(manifest["apiVersion"], "monitoring.coreos.com/v1");
        assert_eq!(manifest["kind"], "PrometheusRule");
        assert_eq!(manifest["metadata"]["namespace"], "monitoring");
        assert_eq!(
            manifest["metadata"]["labels"]["release"], "prometheus",
            "{path}: the label the ruleSelector matches"
        );
        promtool_check(&manifest["spec"]["groups"], &path);
    }
}

#[test]
fn the_crd_schema_rejects_broken_manifests() {
    // The validator is only proof if it can fail: a group without `name`,
    // a rule whose `for` is not a duration, an unknown type for `groups`.
    let validator = crd_validator();
    let (_, good) = outputs("prometheus-operator").remove(0);
    type Edit = fn(&mut Value);
    let broken: [(&str, Edit); 3] = [
        ("group without name", |m| {
            m["spec"]["groups"][0]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("`for` not a duration", |m| {
            m["spec"]["groups"][0]["rules"][1]["for"] = json!("five minutes");
        }),
        ("groups not a list", |m| m["spec"]["groups"] = json!("x")),
    ];
    for (what, edit) in broken {
        let mut m = good.clone();
        edit(&mut m);
        assert!(!validator.is_valid(&m), "the CRD schema accepts: {what}");
    }
}

#[test]
fn mimir_namespaces_pass_promtool_without_their_documented_extras() {
    for (path, mut file) in outputs("mimir") {
        let map = file.as_object_mut().unwrap();
        let namespace = map.remove("namespace").expect("`namespace:` for mimirtool");
        assert_eq!(
            Some(namespace.as_str().unwrap()),
            Path::new(&path).file_stem().unwrap().to_str()
        );
        let groups = map.remove("groups").unwrap();
        assert!(map.is_empty(), "{path}: only namespace and groups: {map:?}");
        promtool_check(&groups, &path);
    }
}

#[test]
fn thanos_groups_abort_on_partial_responses_and_pass_promtool_without_it() {
    for (path, mut file) in outputs("thanos") {
        for g in file["groups"].as_array().unwrap() {
            assert_eq!(g["partial_response_strategy"], "abort", "{path}");
        }
        let mut groups = file["groups"].take();
        strip_group_fields(&mut groups, &["partial_response_strategy"]);
        promtool_check(&groups, &path);
    }
}

fn vmalert_dry_run(path: &Path) -> (bool, String) {
    let out = Command::new("vmalert")
        .arg("-dryRun")
        .arg(format!("-rule={}", path.display()))
        .output()
        .expect("vmalert must be installed (Debian package victoria-metrics; scripts/test.sh installs it)");
    let log = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.success() && !log.contains("\tfatal\t"), log)
}

#[test]
fn vmalert_loads_every_vmalert_file() {
    let dir = tempfile::tempdir().unwrap();
    for (path, _) in outputs("vmalert") {
        let ws = promspec::pipeline::load(&root().join("specs"))
            .unwrap()
            .workspace
            .unwrap();
        let content = promspec::pipeline::compile(&ws)
            .into_iter()
            .find(|o| o.path == path)
            .unwrap()
            .content;
        assert!(content.contains("concurrency: 2"), "{path}");
        let file = dir.path().join(Path::new(&path).file_name().unwrap());
        std::fs::write(&file, &content).unwrap();
        let (ok, log) = vmalert_dry_run(&file);
        assert!(ok, "{path}: vmalert rejects it:\n{log}");
    }
    // The dry run can fail: vmalert 1.79 rejects `keep_firing_for`, which is
    // why a spec that uses it cannot target vmalert (`targets/unsupported-field`).
    let file = dir.path().join("keep-firing.rules.yml");
    std::fs::write(
        &file,
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        keep_firing_for: 5m\n",
    )
    .unwrap();
    let (ok, log) = vmalert_dry_run(&file);
    assert!(!ok && log.contains("keep_firing_for"), "{log}");
}

#[test]
fn a_project_without_targets_deploys_to_prometheus_only() {
    let ws = promspec::pipeline::load(&root().join("tests/fixtures/e2e/specs"))
        .unwrap()
        .workspace
        .unwrap();
    let outputs = promspec::pipeline::compile(&ws);
    assert!(outputs.iter().any(|o| o.path.starts_with("prometheus/")));
    for dir in ["prometheus-operator/", "mimir/", "thanos/", "vmalert/"] {
        assert!(!outputs.iter().any(|o| o.path.starts_with(dir)), "{dir}");
    }
}

#[test]
fn promspecs_own_lint_reads_every_target_clean() {
    // The lint rules that read Thanos, Mimir and vmalert group fields accept
    // what the targets write, and find nothing in the rules themselves.
    let ws = promspec::pipeline::load(&root().join("specs"))
        .unwrap()
        .workspace
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for o in promspec::pipeline::compile(&ws) {
        if ["prometheus-operator/", "mimir/", "thanos/", "vmalert/"]
            .iter()
            .any(|t| o.path.starts_with(t))
        {
            let path = dir.path().join(&o.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &o.content).unwrap();
        }
    }
    let out = crate::support::promspec(dir.path(), &["lint", ".", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}
