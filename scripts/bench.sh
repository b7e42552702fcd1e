#!/usr/bin/env bash
# Times `promspec lint` against `promtool check rules` on the same input, in
# one hyperfine run per input, and prints the ratios and each tool's peak
# memory (maximum resident set size, one run under /usr/bin/time):
#   1. a tree of real-world rule files (default: tests/corpus/rules; pass a
#      larger tree as the first argument),
#   2. one generated file with 10,000 rules,
#   3. the bundled project (`promspec lint` with no paths), which must stay
#      under 20 ms for a pre-commit hook.
# Then the scale bars: on the 10,000-rule file the default (human) format
# within 1.5x of the concise one (also shown: a 10,000-rule file with a
# finding per rule, where the human format renders 10,000 reports); on a
# 100,000-rule file, peak memory under 200 MB in the human format and under
# 400 MB in SARIF.
# Installs hyperfine, GNU time and promtool when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-tests/corpus/rules}"
need_apt=()
command -v hyperfine >/dev/null 2>&1 || need_apt+=(hyperfine)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >&2
fi

cargo build --release --locked --quiet
bin="$PWD/target/release/promspec"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# promtool takes files, not directories.
mapfile -t corpus_files < <(find "$corpus" -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
printf '%s\n' "${corpus_files[@]}" > "$work/files"

# Rule files of N rules: groups of 50 recording and 50 alerting rules with
# expressions shaped like real ones (each alert's division is a finding).
gen_rules() {
  python3 - "$1" "$2" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    f.write("groups:\n")
    for g in range(n // 100):
        f.write(f"  - name: group-{g}\n    interval: 1m\n    rules:\n")
        for r in range(50):
            i = g * 50 + r
            sel = f'http_requests_total{{job="svc-{i}", code=~"5.."}}'
            f.write(f"      - record: job:http_requests_{i}:rate5m\n")
            f.write(f"        expr: sum by (job, instance) (rate({sel}[5m]))\n")
            f.write(f"      - alert: HighErrorRatio{i}\n        expr: |\n")
            f.write(f"          sum by (job) (rate({sel}[5m]))\n")
            f.write(f'            / sum by (job) (rate(http_requests_total{{job="svc-{i}"}}[5m])) > 0.05\n')
            f.write("        for: 5m\n        labels:\n          severity: critical\n")
            f.write("        annotations:\n          summary: High error ratio on {{ $labels.job }}\n")
            f.write("          description: '{{ $value | humanizePercentage }} of requests fail.'\n")
            f.write("          runbook_url: https://runbooks.example.com/errors\n")
PY
}
big="$work/10k.rules.yml"
huge="$work/100k.rules.yml"
gen_rules 10000 "$big"
gen_rules 100000 "$huge"
# 10,000 recording rules, each with one finding (a range too short for `rate()`).
findings="$work/10k-findings.rules.yml"
python3 - "$findings" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("groups:\n")
    for g in range(200):
        f.write(f"  - name: group-{g}\n    rules:\n")
        for r in range(50):
            n = g * 50 + r
            f.write(f"      - record: job:http_requests_{n}:rate1s\n")
            f.write(f'        expr: sum by (job) (rate(http_requests_total{{job="svc-{n}"}}[1s]))\n')
PY

# Peak resident memory of one run of a command, in MB.
peak_mb() {
  /usr/bin/time -f '%M' -o "$work/peak" "$@" >/dev/null 2>&1 || true
  echo $(( $(tail -n 1 "$work/peak") / 1024 ))
}

run() {
  local name="$1" promspec_cmd="$2" promtool_cmd="$3"
  hyperfine --warmup 2 --min-runs 10 -N --ignore-failure \
    --export-json "$work/$name.json" \
    -n "promspec lint ($name)" "$promspec_cmd" \
    -n "promtool check rules ($name)" "$promtool_cmd" >&2
  # shellcheck disable=SC2086 # the commands are word lists
  local ours_mb theirs_mb
  ours_mb=$(peak_mb $promspec_cmd)
  # shellcheck disable=SC2086
  theirs_mb=$(peak_mb $promtool_cmd)
  python3 - "$work/$name.json" "$name" "$ours_mb" "$theirs_mb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, theirs = r[0]["mean"], r[1]["mean"]
print(f"{sys.argv[2]:<8} promspec {ours*1000:8.1f} ms {sys.argv[3]:>5} MB   "
      f"promtool {theirs*1000:8.1f} ms {sys.argv[4]:>5} MB   ratio {theirs/ours:5.1f}x")
PY
}

# One promspec command: mean time (a few runs) and peak memory.
measure() {
  local name="$1"
  shift
  hyperfine --warmup 1 --min-runs 3 -N --ignore-failure \
    --export-json "$work/$name.json" -n "$name" "$*" >&2
  local mb
  mb=$(peak_mb "$@")
  python3 - "$work/$name.json" "$name" "$mb" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["results"][0]["mean"]
print(f"{sys.argv[2]:<22} {m*1000:9.1f} ms {sys.argv[3]:>6} MB")
PY
}

summary=()
summary+=("$(run corpus "$bin lint --format concise $corpus" "promtool check rules $(tr '\n' ' ' < "$work/files")")")
summary+=("$(run 10k "$bin lint --format concise $big" "promtool check rules $big")")
hyperfine --warmup 3 --min-runs 20 -N --ignore-failure --export-json "$work/project.json" \
  -n "promspec lint (bundled project)" "$bin lint" >&2
summary+=("$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["results"][0]["mean"]; print(f"project  promspec {m*1000:8.1f} ms   (bar: 20 ms)")' "$work/project.json")")

scale=()
scale+=("$(measure "10k concise" "$bin" lint --format concise "$big")")
scale+=("$(measure "10k human" "$bin" lint "$big")")
scale+=("$(measure "10k findings concise" "$bin" lint --format concise "$findings")")
scale+=("$(measure "10k findings human" "$bin" lint "$findings")")
scale+=("$(measure "100k concise" "$bin" lint --format concise "$huge")")
scale+=("$(measure "100k human" "$bin" lint "$huge")")
scale+=("$(measure "100k sarif" "$bin" lint --format sarif "$huge")")
huge_promtool_mb=$(peak_mb promtool check rules "$huge")

echo
echo "corpus: $corpus (${#corpus_files[@]} files); 10k: $(grep -c -E '^      - (record|alert):' "$big") rules"
printf '%s\n' "${summary[@]}"
echo
echo "scale (bars: 10k human within 1.5x of concise; 100k human < 200 MB, sarif < 400 MB)"
printf '%s\n' "${scale[@]}"
echo "100k promtool check rules: ${huge_promtool_mb} MB"
