# Shared set-up steps for scripts/up and scripts/test. Every step is idempotent and cheap
# when already done, so both commands work on a fresh machine and on a warm one.

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {  # host port seconds what
  local i
  for ((i = 0; i < $3 * 2; i++)); do reachable "$1" "$2" && return 0; sleep 0.5; done
  echo "error: $4 is not answering on $1:$2 after $3 s" >&2
  return 1
}

ensure_venv() {  # extras (e.g. "test", or "" for the services only)
  local python=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    log "creating .venv with $($python --version)"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${1:-base}"
  if [ ! -f "$stamp" ]; then
    log "installing tsunagu${1:+ with [$1]} into .venv (pinned in pyproject.toml)"
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/pip install --quiet --disable-pip-version-check -e ".${1:+[$1]}"
    touch "$stamp"
  fi
}

ensure_rabbitmq() {
  if ! reachable 127.0.0.1 5672; then
    log "starting RabbitMQ"
    command -v rabbitmq-server >/dev/null || { echo "error: RabbitMQ is not installed and not running on 127.0.0.1:5672" >&2; return 1; }
    rabbitmq-server -detached
  fi
  wait_for_port 127.0.0.1 5672 90 RabbitMQ
}

ensure_rabbitmq_management() {
  if ! reachable 127.0.0.1 15672; then
    log "enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
  fi
  wait_for_port 127.0.0.1 15672 60 "RabbitMQ management"
}

ensure_postgresql() {
  if ! reachable 127.0.0.1 5432; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  wait_for_port 127.0.0.1 5432 60 PostgreSQL
}

ensure_debian_files() {  # package [package ...] that install no command (fonts)
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}"
}

ensure_debian_packages() {  # command package [command package ...]
  local missing=()
  while [ $# -gt 1 ]; do
    command -v "$1" >/dev/null || missing+=("$2")
    shift 2
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}"
}

apt_install() {  # package [package ...]
  log "installing Debian packages: $*"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
