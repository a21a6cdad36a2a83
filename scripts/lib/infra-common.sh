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

# Where `terraform init` gets providers from. When the mirror ($TF_PLUGIN_MIRROR, default
# /opt/tf-plugins) holds hashicorp/aws for this platform, from there only, offline, through
# infra/terraform.rc (TF_CLI_CONFIG_FILE); otherwise from the public registry as usual, with no
# CLI config of ours. Prints which it chose. Exports TF_PROVIDER_SOURCE=mirror|registry.
infra_provider_source() {
  if infra_mirror_has_aws; then
    if [ "$TF_MIRROR" = /opt/tf-plugins ]; then
      export TF_CLI_CONFIG_FILE="$INFRA/terraform.rc"
    else
      # terraform.rc names /opt/tf-plugins; a copy names the other mirror.
      export TF_CLI_CONFIG_FILE="${INFRA_TMP:?}/terraform.rc"
      sed "s#\"/opt/tf-plugins\"#\"$TF_MIRROR\"#" "$INFRA/terraform.rc" >"$TF_CLI_CONFIG_FILE" || return 1
    fi
    export TF_PROVIDER_SOURCE=mirror
    echo "terraform providers: offline mirror $TF_MIRROR (TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE)"
  elif [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ -f "$TF_CLI_CONFIG_FILE" ] &&
    ! grep -q '^# Terraform CLI config for offline use' "$TF_CLI_CONFIG_FILE"; then
    # A CLI config of the caller's own (credentials, a mirror of theirs...) stays.
    export TF_PROVIDER_SOURCE=registry
    echo "terraform providers: no hashicorp/aws in $TF_MIRROR; as configured by the caller's TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE"
  else
    # Ours (it would point at the missing mirror) or a file that does not exist: none at all.
    unset TF_CLI_CONFIG_FILE
    export TF_PROVIDER_SOURCE=registry
    echo "terraform providers: no hashicorp/aws in $TF_MIRROR; the public registry (no CLI config)"
  fi
}
# The former name, still called by scripts/deploy.
infra_use_mirror() { infra_provider_source; }

# Whether the mirror holds a hashicorp/aws package for this platform, unpacked
# (<version>/<os_arch>/terraform-provider-aws_*) or packed (terraform-provider-aws_*_<os_arch>.zip),
# the two layouts a filesystem_mirror reads.
infra_mirror_has_aws() {
  local dir="$TF_MIRROR/registry.terraform.io/hashicorp/aws" platform
  platform="$(terraform version -json 2>/dev/null | sed -n 's/.*"platform": *"\([^"]*\)".*/\1/p')"
  platform="${platform:-*}"
  compgen -G "$dir/*/$platform/terraform-provider-aws_*" >/dev/null ||
    compgen -G "$dir/terraform-provider-aws_*_$platform.zip" >/dev/null
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
