#!/usr/bin/env bash
# `make demo`: Serin's main job on one machine. Until the embedded control plane and the
# controllers land, it is a scripted tour of what exists, checking each result as it goes:
# the exit code is 0 only if every step did what it says.
set -euo pipefail
build_dir=${1:-build}
serin="$build_dir/bin/serin"
root=$(cd "$(dirname "$0")/.." && pwd)
manifests="$root/examples/manifests/web.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
expect() {  # expect <description> <haystack> <needle>
  if [[ "$2" != *"$3"* ]]; then
    echo "demo: FAILED: $1 (expected to find: $3)" >&2
    exit 1
  fi
  echo "  ok: $1"
}

step "serin version"
out=$("$serin" version)
echo "$out"
expect "prints its version" "$out" "serin "

step "Decode a multi-document manifest with kubectl's YAML typing rules"
out=$("$serin" manifest convert -f "$manifests" -o json)
echo "$out" | sed -n '1,12p'
expect "quoted \"3\" stays a string" "$out" '"REPLICAS": "3"'
expect "quoted \"yes\" stays a string" "$out" '"ENABLED": "yes"'
expect "replicas: 3 is an integer" "$out" '"replicas": 3'

step "Select objects with label and field selectors"
out=$("$serin" manifest select -f "$manifests" -l 'app=web,tier in (frontend)')
echo "$out"
expect "Deployment selected" "$out" "Deployment/web"
expect "Service selected" "$out" "Service/web"
if [[ "$out" == *ConfigMap* ]]; then echo "demo: FAILED: ConfigMap has no tier label" >&2; exit 1; fi
out=$("$serin" manifest select -f "$manifests" --field-selector 'metadata.name=web-config')
expect "field selector on metadata.name" "$out" "ConfigMap/web-config"

step "Strategic merge patch: change one container's image, keep the other"
"$serin" manifest select -f "$manifests" --field-selector metadata.name=web >/dev/null
awk 'BEGIN{RS="---\n"} /kind: Deployment/ {print}' "$manifests" > "$work/deploy.yaml"
out=$("$serin" manifest patch -f "$work/deploy.yaml" --type strategic \
  -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"registry.example/web:2.0"}]}}}}')
echo "$out" | grep -E 'image:|name: (web|log-shipper)$' || true
expect "web image updated" "$out" "registry.example/web:2.0"
expect "log-shipper container kept (merged by name)" "$out" "registry.example/shipper:2.3"

step "Three-way merge, as kubectl apply computes it"
cp "$work/deploy.yaml" "$work/last.yaml"
cp "$work/deploy.yaml" "$work/live.yaml"
sed -e '/    tier: frontend/d' -e 's/replicas: 3/replicas: 5/' "$work/deploy.yaml" > "$work/desired.yaml"
# live carries a label added by someone else; desired drops tier and scales to 5.
sed -i 's/^  labels:$/  labels:\n    added-by: other-controller/' "$work/live.yaml"
out=$("$serin" manifest three-way --last-applied "$work/last.yaml" --desired "$work/desired.yaml" --live "$work/live.yaml")
echo "$out"
expect "replicas set to 5" "$out" '"replicas": 5'
expect "the label dropped from the file is deleted" "$out" '"tier": null'
if [[ "$out" == *added-by* ]]; then echo "demo: FAILED: another manager's label must be kept" >&2; exit 1; fi
echo "  ok: the label added by another manager is left alone"

step "Bad input gets a clear error and a non-zero exit"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n' > "$work/bad.yaml"
if "$serin" manifest convert -f "$work/bad.yaml" 2> "$work/err"; then
  echo "demo: FAILED: invalid YAML accepted" >&2; exit 1
fi
cat "$work/err"
expect "the error names the line" "$(cat "$work/err")" "line"
set +e; "$serin" manifest convert --no-such-flag >/dev/null 2>&1; code=$?; set -e
[[ $code -eq 2 ]] || { echo "demo: FAILED: unknown flag must exit 2, got $code" >&2; exit 1; }
echo "  ok: unknown flag exits 2"

printf '\n\033[1mdemo: all steps passed.\033[0m The embedded control plane and the rollout controller come next (docs/roadmap.md).\n'
