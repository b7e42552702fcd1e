#!/usr/bin/env bash
# Times `promspec lint` against `promtool check rules` on the same input, in
# one hyperfine run per input, and prints the ratios:
#   1. a tree of real-world rule files (default: tests/corpus/rules; pass a
#      larger tree as the first argument),
#   2. one generated file with 10,000 rules,
#   3. the bundled project (`promspec lint` with no paths), which must stay
#      under 20 ms for a pre-commit hook.
# Installs hyperfine and promtool when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-tests/corpus/rules}"
need_apt=()
command -v hyperfine >/dev/null 2>&1 || need_apt+=(hyperfine)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

cargo build --release --locked --quiet
bin="$PWD/target/release/promspec"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# promtool takes files, not directories.
mapfile -t corpus_files < <(find "$corpus" -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
printf '%s\n' "${corpus_files[@]}" > "$work/files"

# A 10,000-rule file: 100 groups of 100 recording and alerting rules with
# expressions shaped like real ones.
big="$work/10k.rules.yml"
{
  echo "groups:"
  for g in $(seq 0 99); do
    echo "  - name: group-$g"
    echo "    interval: 1m"
    echo "    rules:"
    for r in $(seq 0 49); do
      n=$((g * 50 + r))
      echo "      - record: job:http_requests_$n:rate5m"
      echo "        expr: sum by (job, instance) (rate(http_requests_total{job=\"svc-$n\", code=~\"5..\"}[5m]))"
      echo "      - alert: HighErrorRatio$n"
      echo "        expr: |"
      echo "          sum by (job) (rate(http_requests_total{job=\"svc-$n\", code=~\"5..\"}[5m]))"
      echo "            / sum by (job) (rate(http_requests_total{job=\"svc-$n\"}[5m])) > 0.05"
      echo "        for: 5m"
      echo "        labels:"
      echo "          severity: critical"
      echo "        annotations:"
      echo "          summary: High error ratio on {{ \$labels.job }}"
      echo "          description: '{{ \$value | humanizePercentage }} of requests fail.'"
      echo "          runbook_url: https://runbooks.example.com/errors"
    done
  done
} > "$big"

run() {
  local name="$1" promspec_cmd="$2" promtool_cmd="$3"
  hyperfine --warmup 2 --min-runs 10 -N --ignore-failure \
    --export-json "$work/$name.json" \
    -n "promspec lint ($name)" "$promspec_cmd" \
    -n "promtool check rules ($name)" "$promtool_cmd" >&2
  python3 - "$work/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, theirs = r[0]["mean"], r[1]["mean"]
print(f"{sys.argv[2]:<8} promspec {ours*1000:8.1f} ms   promtool {theirs*1000:8.1f} ms   ratio {theirs/ours:5.1f}x")
PY
}

summary=()
summary+=("$(run corpus "$bin lint --format concise $corpus" "promtool check rules $(tr '\n' ' ' < "$work/files")")")
summary+=("$(run 10k "$bin lint --format concise $big" "promtool check rules $big")")
hyperfine --warmup 3 --min-runs 20 -N --ignore-failure --export-json "$work/project.json" \
  -n "promspec lint (bundled project)" "$bin lint" >&2
summary+=("$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["results"][0]["mean"]; print(f"project  promspec {m*1000:8.1f} ms   (bar: 20 ms)")' "$work/project.json")")

echo
echo "corpus: $corpus (${#corpus_files[@]} files); 10k: $(grep -c -E '^      - (record|alert):' "$big") rules"
printf '%s\n' "${summary[@]}"
