# shellcheck shell=bash
# Shared by scripts/infra-check and scripts/deploy (sourced, not run).
# Expects ROOT to be the repository root.

INFRA="$ROOT/infra"
VENV="$ROOT/.venv"
TF_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

infra_log() { printf '\n==> %s\n' "$*"; }

# Terraform must be on PATH; it never passes silently without it.
infra_require_terraform() {
  if ! command -v terraform >/dev/null 2>&1; then
    cat >&2 <<MSG
FAIL: terraform is not installed.
  Install Terraform >= 1.9 (1.11 is what CI uses): from HashiCorp's apt repository
  (apt-get install terraform after adding apt.releases.hashicorp.com), or unzip the release
  binary into /usr/local/bin.
MSG
    return 1
  fi
}

# Offline provider installs go through the mirror; without it, init cannot work here.
infra_use_mirror() {
  if [ ! -d "$TF_MIRROR/registry.terraform.io/hashicorp/aws" ]; then
    cat >&2 <<MSG
FAIL: the Terraform provider mirror is missing: no $TF_MIRROR/registry.terraform.io/hashicorp/aws.
  This machine has no route to the Terraform registry, so providers come from a local mirror.
  On a machine with internet access, run in infra/envs/dev:
      terraform providers mirror $TF_MIRROR
  (hashicorp/aws 5.100.0, linux_amd64) and copy the directory here, or point TF_PLUGIN_MIRROR
  at an existing mirror.
MSG
    return 1
  fi
  if [ "$TF_MIRROR" = /opt/tf-plugins ]; then
    export TF_CLI_CONFIG_FILE="$INFRA/terraform.rc"
  else
    export TF_CLI_CONFIG_FILE="${INFRA_TMP:?}/terraform.rc"
    sed "s#/opt/tf-plugins#$TF_MIRROR#" "$INFRA/terraform.rc" >"$TF_CLI_CONFIG_FILE"
  fi
}

# The project venv (.venv at the repo root), shared with the other scripts.
infra_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
}

# Pinned, so that a new checkov release cannot add failing checks to an unchanged tree.
# shellcheck disable=SC2034 # used by scripts/infra-check
CHECKOV_VERSION="3.3.30"

# infra_pip_ensure <executable in .venv/bin> <pip requirement>...
# Installs when the executable is missing, or when a pinned (==) requirement differs.
infra_pip_ensure() {
  local exe="$1" pinned
  shift
  pinned="$(printf '%s\n' "$@" | grep -m1 '==' || true)"
  if [ -n "$pinned" ] && [ -x "$VENV/bin/$exe" ] &&
    ! "$VENV/bin/pip" show "${pinned%%==*}" 2>/dev/null | grep -x "Version: ${pinned##*==}" >/dev/null; then
    infra_log "upgrading to $pinned in .venv"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$@"
  elif [ ! -x "$VENV/bin/$exe" ]; then
    infra_log "installing $* into .venv"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$@"
  fi
}

# A free TCP port on 127.0.0.1 in the 5000 range.
infra_free_port() {
  "$VENV/bin/python" - <<'PY'
import random, socket
for port in random.sample(range(5100, 5999), 200):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}
