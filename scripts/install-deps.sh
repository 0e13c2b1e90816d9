#!/usr/bin/env bash
# Installs every Debian package that Serin's build, tests and e2e tests need: the single list.
# A fast no-op when everything is present. Runs apt-get update once, and uses sudo when not root.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache g++ clang clang-format clang-tidy pkg-config
  # libraries (see cmake/Dependencies.cmake)
  libyaml-cpp-dev nlohmann-json3-dev libboost-dev libssl-dev libcurl4-openssl-dev
  libspdlog-dev prometheus-cpp-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev
  # real peers in tests and the demo
  git kubectl prometheus nginx-light curl ca-certificates
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

# kubectl must be v1.32 or newer with kustomize built in: the e2e tests drive it.
if ! kubectl version --client >/dev/null 2>&1; then
  echo "install-deps: kubectl is not usable after install" >&2
  exit 1
fi
