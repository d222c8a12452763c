# Sourced, not run: the one way Bolt's scripts install Debian packages (scripts/services.sh for
# Redis, PostgreSQL and the bench tools; model/check.sh for Spin).
# The caller defines log and die. Installs as root or with passwordless sudo, else apt_install
# returns 1 and the caller says what to install.
# Sets an EXIT trap (apt_cleanup); a caller that needs its own EXIT trap calls apt_cleanup from it.

have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- privileges
SUDO_OK=""
can_root() {
  if [[ $EUID -eq 0 ]]; then return 0; fi
  if [[ -z "$SUDO_OK" ]]; then
    if have sudo && sudo -n true >/dev/null 2>&1; then SUDO_OK=yes; else SUDO_OK=no; fi
  fi
  [[ "$SUDO_OK" == yes ]]
}
as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# ---------------------------------------------------------------- apt
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_RC_OURS=0
apt_cleanup() {
  if [[ $POLICY_RC_OURS -eq 1 ]]; then as_root rm -f "$POLICY_RC" || true; fi
}
trap apt_cleanup EXIT

apt_install() { # pkg...
  have apt-get || return 1
  can_root || return 1
  # Package postinst scripts try to start daemons via invoke-rc.d, which fails
  # without systemd/init; a temporary policy-rc.d (exit 101) tells them not to.
  if [[ ! -e "$POLICY_RC" ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > '$POLICY_RC' && chmod 755 '$POLICY_RC'"
    POLICY_RC_OURS=1
  fi
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0)
  local aptlog
  aptlog="$(mktemp "${TMPDIR:-/tmp}/bolt-apt.XXXXXX")"
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt: package lists empty, running apt-get update"
    as_root "${apt[@]}" update >>"$aptlog" 2>&1 || { tail -n 20 "$aptlog" >&2; die "apt-get update failed"; }
  fi
  log "apt: installing $*"
  if ! as_root "${apt[@]}" install --no-install-recommends "$@" >>"$aptlog" 2>&1; then
    log "apt: install failed, running apt-get update and retrying"
    if ! { as_root "${apt[@]}" update && as_root "${apt[@]}" install --no-install-recommends "$@"; } >>"$aptlog" 2>&1; then
      tail -n 20 "$aptlog" >&2
      die "apt-get install $* failed"
    fi
  fi
  rm -f "$aptlog"
  if [[ $POLICY_RC_OURS -eq 1 ]]; then as_root rm -f "$POLICY_RC"; POLICY_RC_OURS=0; fi
}
