#!/usr/bin/env bash
# Private, real test services for fdi-worker's integration tests, all on 127.0.0.1:
#   MariaDB 33306 · PostgreSQL 55432 · Redis 56379 (append-only) · OpenSSH SFTP 2222 · Kafka (librdkafka mock) 19092
#
# usage: scripts/test-services.sh up [service...]        start (installing missing Debian packages), print the env
#        scripts/test-services.sh down [service...]      stop (data is kept)
#        scripts/test-services.sh start|stop|restart <service...>
#        scripts/test-services.sh status                 exit 0 when every service answers, 3 otherwise
#        scripts/test-services.sh env                    print the connection settings (FDI_TEST_*)
#        scripts/test-services.sh clean                  stop everything and delete all data
# services: mysql (alias mariadb), pg (postgres, postgresql), redis, sftp, kafka
# environment: KAFKA_TOPICS="a:1 b:3"  topics the Kafka mock creates when it starts (others: auto, 4 partitions)
#              FDI_TEST_SERVICES_DIR   state directory (default: <repo>/.test-services)
#              FDI_TEST_SFTP_CHROOT    root-owned SFTP chroot base outside /tmp (default: /srv/fdi-test-sftp)
#              FDI_TEST_SERVICES_{MYSQL,PG,REDIS,SFTP,KAFKA}_PORT   other ports (written to the env file)
#
# A default port held by something that is not this state directory's daemon and does not answer as the service
# would (a server of another checkout that is shutting down, an unrelated program) is not fatal: the service moves
# to a free port, recorded in <state>/ports/<service> until `down`, and the env file names it. An explicitly set
# port never moves.
#
# Everything lives under the state directory except the SFTP chroot (sshd refuses a chroot with a non-root-owned
# or writable parent, so not under /tmp) and, when the postgres/mysql users cannot reach the state directory (a
# clone under /root), the PostgreSQL/MariaDB data, which then live under /var/lib/fdi-test-services/ via a symlink.
# Must run as root (package installs, runuser, the SFTP user and chroot). Logs go to stderr, the env to stdout.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${FDI_TEST_SERVICES_DIR:-$REPO/.test-services}
SFTP_BASE=${FDI_TEST_SFTP_CHROOT:-/srv/fdi-test-sftp}
HOST=127.0.0.1
# port_for <service> <explicit> <default>: the explicit port, else the one recorded when <service> had to move
# off its default (see foreign_service), else the default
port_for() {
  if [[ -n $2 ]]; then printf '%s' "$2"
  elif [[ -s $RUN/ports/$1 ]]; then tr -dc '0-9' <"$RUN/ports/$1"
  else printf '%s' "$3"; fi
}
MYSQL_PORT=$(port_for mysql "${FDI_TEST_SERVICES_MYSQL_PORT:-}" 33306)
PG_PORT=$(port_for pg "${FDI_TEST_SERVICES_PG_PORT:-}" 55432)
REDIS_PORT=$(port_for redis "${FDI_TEST_SERVICES_REDIS_PORT:-}" 56379)
SFTP_PORT=$(port_for sftp "${FDI_TEST_SERVICES_SFTP_PORT:-}" 2222)
KAFKA_PORT=$(port_for kafka "${FDI_TEST_SERVICES_KAFKA_PORT:-}" 19092)
SFTP_USER=sftptest
SFTP_PASSWORD=sftppass
SFTP_WRITABLE=/upload
# A PostgreSQL role whose password is really checked (scram-sha-256 over TCP), for wrong-password tests; only on
# the instance this script runs itself (every other role keeps trust auth).
PG_PASSWORD_USER=fdi_pw
PG_PASSWORD_SECRET=fdi_pw
ALL_SERVICES=(mysql pg redis sftp kafka)

log() { printf '[test-services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------------------------------------------------------
# helpers

require_root() { [[ $EUID -eq 0 ]] || die "must run as root (it installs packages, runs daemons as their users and owns the SFTP chroot)"; }

lock() {
  mkdir -p "$RUN"
  chmod 755 "$RUN"
  exec 9>"$RUN/.lock"
  flock 9
}

# Runs a daemon detached from our session and stdio; fd 9 (the lock) must not leak into it.
spawn() { local logfile=$1; shift; setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- & }

pidfile_pid() { [[ -f $1 ]] && tr -dc '0-9' <"$1" || true; }

# pid_alive <pid> <name>: the process exists and its command line names <name> (not a recycled pid)
pid_alive() { [[ -n $1 ]] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"; }

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

port_owner() { command -v ss >/dev/null && ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1 || true; }

free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }

explicit_port_variable() { printf 'FDI_TEST_SERVICES_%s_PORT' "${1^^}"; }

# foreign_service <service> <port variable> <check>: the port is open but not from a daemon this state directory
# started (e.g. another checkout's instance on the same machine). Returns 0 to reuse it when <check> passes with
# our credentials. Otherwise the port is taken by something else: returns 1 after moving <service> to a free port
# (sets the variable and records it), or stops with a clear error when the port was set explicitly.
foreign_service() {
  local service=$1 var=$2 check=$3 port=${!2} explicit free
  if "$check" >/dev/null 2>&1; then
    log "$service: reusing the server already answering on $HOST:$port (not started from $RUN; '$0 down' leaves it alone)"
    return 0
  fi
  explicit=$(explicit_port_variable "$service")
  local taken="port $HOST:$port (for $service) is taken by a process this script did not start $(port_owner "$port")"
  [[ -z ${!explicit:-} ]] || die "$taken; stop it, free the port or choose another with $explicit"
  free=$(free_port) && [[ -n $free ]] || die "$taken, and no free port was found"
  mkdir -p "$RUN/ports"
  printf '%s\n' "$free" >"$RUN/ports/$service"
  log "WARNING: $taken; $service moves to $HOST:$free (recorded in $RUN/ports/$service until '$0 down')"
  printf -v "$var" '%s' "$free"
  return 1
}

# forget_moved_port <service>: after `down`, the next start tries the default port again (`restart` keeps the port)
forget_moved_port() { rm -f "$RUN/ports/$1"; }

# wait_for <what> <seconds> <command...>: retries the command until it succeeds
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
  log "$what answers"
}

# stop_pid <name> <pid> <seconds>: SIGTERM, then SIGKILL after the grace time
stop_pid() {
  local name=$1 pid=$2 seconds=${3:-20}
  pid_alive "$pid" "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while pid_alive "$pid" "$name"; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) ignored SIGTERM for ${seconds}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
}

tail_log() { [[ -f $1 ]] && { log "last lines of $1:"; tail -n 30 "$1" >&2; }; return 0; }

short_hash() { printf '%s' "$RUN" | cksum | cut -d' ' -f1; }

# service_dir <name> <owner>: the service's data directory, owned by <owner>; under $RUN when <owner> can reach
# it, else under /var/lib/fdi-test-services with a symlink from $RUN (a daemon user cannot enter /root/...).
# Prints the real path: that is what the daemon must be given.
service_dir() {
  local name=$1 owner=$2 dir="$RUN/$1"
  if [[ ! -e $dir ]]; then
    if ! runuser -u "$owner" -- test -x "$RUN" 2>/dev/null; then
      local outside="/var/lib/fdi-test-services/$(short_hash)/$name"
      mkdir -p "$outside"
      chmod 755 "/var/lib/fdi-test-services" "$(dirname "$outside")"
      ln -sfn "$outside" "$dir"
      log "$owner cannot enter $RUN: $name data lives in $outside"
    else
      mkdir -p "$dir"
    fi
  fi
  dir=$(readlink -f "$dir")
  chown "$owner:" "$dir"
  printf '%s' "$dir"
}

# The real path of a service directory (the daemon users may not be able to pass through $RUN).
real_dir() { readlink -f "$RUN/$1"; }

# ---------------------------------------------------------------------------------------------------------------
# packages

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n $d && -x $d/initdb ]] && printf '%s' "$d"
}

# missing_packages <service...>: prints the Debian packages the services need and lack
missing_packages() {
  local s
  for s in "$@"; do
    case $s in
      mysql) [[ -x /usr/sbin/mariadbd ]] && command -v mariadb-install-db mariadb >/dev/null || echo mariadb-server ;;
      pg) pg_bin >/dev/null && command -v psql >/dev/null || echo postgresql ;;
      redis) command -v redis-server redis-cli >/dev/null || echo redis-server ;;
      sftp) [[ -x /usr/sbin/sshd ]] && command -v ssh-keygen sftp >/dev/null || echo openssh-server openssh-client ;;
      kafka)
        [[ -f /usr/include/librdkafka/rdkafka_mock.h ]] || echo librdkafka-dev
        command -v gcc >/dev/null || echo gcc
        [[ -f /usr/include/stdio.h ]] || echo libc6-dev
        ;;
    esac
  done
}

install_packages() {
  local -a missing
  read -r -a missing <<<"$(missing_packages "$@" | tr '\n' ' ')"
  ((${#missing[@]} > 0)) || return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing: ${missing[*]}"
  # Keep apt from starting the packages' own daemons (on the standard ports) during the install.
  local policy=/usr/sbin/policy-rc.d created=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } </dev/null >&2 || rc=$?
  [[ -n $created ]] && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
  local still
  still=$(missing_packages "$@" | tr '\n' ' ')
  [[ -z ${still// /} ]] || die "still missing after install: $still"
}

# ---------------------------------------------------------------------------------------------------------------
# MariaDB: root through the unix socket, app/app over TCP

mysql_dir() { service_dir mysql mysql; }

mysql_socket() {
  local sock
  sock="$(real_dir mysql)/mysqld.sock"
  if ((${#sock} > 100)); then sock="/run/fdi-test-services-$(short_hash)/mysqld.sock"; fi
  printf '%s' "$sock"
}

mysql_root() { mariadb --no-defaults -S "$(mysql_socket)" -uroot "$@"; }
mysql_answers() { [[ $(mysql_root -N -B -e 'select 1' 2>/dev/null) == 1 ]]; }
mysql_app_answers() { [[ $(timeout 10 mariadb --no-defaults -h"$HOST" -P"$MYSQL_PORT" -uapp -papp app -N -B -e 'select 1' 2>/dev/null) == 1 ]]; }
mysql_pid() { pidfile_pid "$RUN/mysql/mysqld.pid"; }
mysql_running() { pid_alive "$(mysql_pid)" mariadbd; }

mysql_start() {
  local dir sock
  dir=$(mysql_dir)
  sock=$(mysql_socket)
  if ! mysql_running; then
    if port_open "$MYSQL_PORT" && foreign_service mysql MYSQL_PORT mysql_app_answers; then return 0; fi
    rm -f "$dir/mysqld.pid" "$sock" "$sock.lock"
    mkdir -p "$(dirname "$sock")"
    chown mysql: "$(dirname "$sock")"
    if [[ ! -d $dir/data/mysql ]]; then
      rm -rf "$dir/data"
      log "mysql: initialising $dir/data"
      mariadb-install-db --no-defaults --user=mysql --datadir="$dir/data" --auth-root-authentication-method=socket \
        --skip-test-db --skip-name-resolve >"$dir/install.log" 2>&1 || { tail_log "$dir/install.log"; die "mysql: mariadb-install-db failed"; }
    fi
    log "mysql: starting on $HOST:$MYSQL_PORT"
    spawn "$dir/mysqld.out" mariadbd --no-defaults --user=mysql --datadir="$dir/data" --port="$MYSQL_PORT" \
      --bind-address="$HOST" --socket="$sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M --max-connections=500 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
  fi
  wait_for mysql 60 mysql_answers || { tail_log "$dir/error.log"; die "mysql: no answer to 'select 1' within 60s"; }
  mysql_root -e "CREATE DATABASE IF NOT EXISTS app;
    CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 'app';
    CREATE USER IF NOT EXISTS 'app'@'localhost' IDENTIFIED BY 'app';
    GRANT ALL PRIVILEGES ON *.* TO 'app'@'127.0.0.1' WITH GRANT OPTION;
    GRANT ALL PRIVILEGES ON *.* TO 'app'@'localhost' WITH GRANT OPTION;" || die "mysql: cannot create the app database and user"
  mysql_app_answers || die "mysql: app/app cannot log in over TCP $HOST:$MYSQL_PORT"
}

mysql_stop() {
  mysql_running || return 0
  log "mysql: stopping"
  mysql_root -e 'shutdown' 2>/dev/null || true
  stop_pid mariadbd "$(mysql_pid)" 30
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL: trust auth, TCP only (no unix socket: its path length would depend on where the repo lives), except
# the role $PG_PASSWORD_USER whose password is checked (the first line of pg_hba.conf)

pg_dir() { service_dir pg postgres; }
pg_as() { runuser -u postgres -- "$@"; }
pg_answers() { [[ $(timeout 10 psql -X -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'select 1' 2>/dev/null) == 1 ]]; }
pg_pid() { [[ -f $RUN/pg/data/postmaster.pid ]] && head -1 "$RUN/pg/data/postmaster.pid" | tr -dc '0-9' || true; }
pg_running() { pid_alive "$(pg_pid)" postgres; }
pg_psql() { psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres "$@"; }
# Written once the password role is in place on our own instance; `env` exports the role only then.
pg_password_marker() { printf '%s' "$RUN/pg/password-role"; }
pg_password_login() { PGPASSWORD=$1 PGCONNECT_TIMEOUT=5 psql -X -w -h "$HOST" -p "$PG_PORT" -U "$PG_PASSWORD_USER" -d app -Atc 'select 1' 2>&1; }

# Idempotent, also on a data directory initialised before this step existed: the role with its password, and
# "host all $PG_PASSWORD_USER $HOST/32 scram-sha-256" as the first line of pg_hba.conf (the first matching line
# wins, so the trust lines below it do not apply to this role), then a reload; then proves both ways that the
# password is checked.
pg_password_role() {
  local dir=$1 hba="$1/data/pg_hba.conf" line="host all $PG_PASSWORD_USER $HOST/32 scram-sha-256" out
  rm -f "$(pg_password_marker)"
  pg_psql -d postgres >&2 <<SQL || die "pg: cannot create the role $PG_PASSWORD_USER"
SET password_encryption = 'scram-sha-256';
SELECT 'CREATE ROLE $PG_PASSWORD_USER LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_PASSWORD_USER') \gexec
ALTER ROLE $PG_PASSWORD_USER LOGIN PASSWORD '$PG_PASSWORD_SECRET';
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE app TO $PG_PASSWORD_USER;
SQL
  if [[ $(head -n 1 "$hba") != "$line" ]]; then
    log "pg: $PG_PASSWORD_USER logs in with a checked password (scram-sha-256): first line of $hba"
    { printf '%s\n' "$line"; grep -vxF -- "$line" "$hba"; } >"$hba.tmp"
    chown postgres: "$hba.tmp"
    chmod 600 "$hba.tmp"
    mv -f "$hba.tmp" "$hba"
  fi
  [[ $(pg_psql -d postgres -Atc 'select count(*) from pg_hba_file_rules where error is not null') == 0 ]] ||
    die "pg: $hba has errors (see the view pg_hba_file_rules)"
  pg_psql -d postgres -Atc 'select pg_reload_conf()' >/dev/null || die "pg: reload failed"
  # The reload is asynchronous: wait until a wrong password is refused, then check that the right one works.
  local deadline=$((SECONDS + 15))
  until out=$(pg_password_login "not-$PG_PASSWORD_SECRET") ; [[ $out == *"password authentication failed"* ]]; do
    ((SECONDS < deadline)) || die "pg: a wrong password for $PG_PASSWORD_USER is not refused: $out"
    sleep 0.1
  done
  out=$(pg_password_login "$PG_PASSWORD_SECRET") && [[ $out == 1 ]] || die "pg: $PG_PASSWORD_USER cannot log in with its password: $out"
  touch "$(pg_password_marker)"
  log "pg: $PG_PASSWORD_USER/$PG_PASSWORD_SECRET logs in; a wrong password is refused"
}

pg_start() {
  local dir bin own=1
  dir=$(pg_dir)
  bin=$(pg_bin)
  if ! pg_running && port_open "$PG_PORT" && foreign_service pg PG_PORT pg_answers; then
    own=0
    rm -f "$(pg_password_marker)"
  elif ! pg_running; then
    rm -f "$dir/data/postmaster.pid"
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      rm -rf "$dir/data"
      log "pg: initialising $dir/data"
      pg_as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { tail_log "$dir/initdb.log"; die "pg: initdb failed"; }
      cat >>"$dir/data/postgresql.conf" <<EOF
# --- fdi-worker test service ---
port = $PG_PORT
listen_addresses = '$HOST'
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    log "pg: starting on $HOST:$PG_PORT"
    pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -o "-p $PG_PORT" -w -t 60 start </dev/null >/dev/null 2>&1 9>&- ||
      { tail_log "$dir/pg.log"; die "pg: pg_ctl start failed"; }
  fi
  wait_for pg 60 pg_answers || { tail_log "$dir/pg.log"; die "pg: no answer to 'select 1' within 60s"; }
  if [[ $(psql -X -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'app'") != 1 ]]; then
    psql -X -q -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE app' >&2 || die "pg: cannot create database app"
  fi
  # Not on a foreign server: its authentication is not ours to change.
  if ((own)); then pg_password_role "$dir"; fi
}

pg_stop() {
  pg_running || return 0
  log "pg: stopping"
  pg_as "$(pg_bin)/pg_ctl" -D "$(real_dir pg)/data" -m fast -w -t 30 stop >/dev/null 2>&1 || stop_pid postgres "$(pg_pid)" 30
}

# ---------------------------------------------------------------------------------------------------------------
# Redis: append-only, so `restart redis` keeps the data

redis_answers() { [[ $(timeout 10 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
redis_pid() { pidfile_pid "$RUN/redis/redis.pid"; }
redis_running() { pid_alive "$(redis_pid)" redis-server; }

redis_start() {
  local dir="$RUN/redis"
  mkdir -p "$dir"
  if ! redis_running && port_open "$REDIS_PORT" && foreign_service redis REDIS_PORT redis_answers; then
    :
  elif ! redis_running; then
    rm -f "$dir/redis.pid"
    log "redis: starting on $HOST:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind "$HOST" --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --save '' --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
      </dev/null >/dev/null 2>&1 9>&- || { tail_log "$dir/redis.log"; die "redis: redis-server failed to start"; }
  fi
  wait_for redis 60 redis_answers || { tail_log "$dir/redis.log"; die "redis: no PONG within 60s"; }
}

redis_stop() {
  redis_running || return 0
  log "redis: stopping (the append-only file is flushed first)"
  stop_pid redis-server "$(redis_pid)" 30 # SIGTERM is Redis' graceful shutdown: fsyncs the AOF
}

# ---------------------------------------------------------------------------------------------------------------
# SFTP: OpenSSH's internal-sftp, user chrooted to $SFTP_BASE/chroot, writable $SFTP_WRITABLE inside it

sftp_pid() { pidfile_pid "$RUN/sftp/sshd.pid"; }
sftp_running() { pid_alive "$(sftp_pid)" sshd; }
sftp_answers() { [[ $(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$SFTP_PORT; head -c 8 <&3" 2>/dev/null) == SSH-2.0* ]]; }
sftp_login_works() {
  printf 'ls %s\n' "$SFTP_WRITABLE" | timeout 20 sftp -q -b - -i "$RUN/sftp/client_key" -P "$SFTP_PORT" \
    -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "$SFTP_USER@$HOST" >/dev/null
}

sftp_prepare() {
  local dir="$RUN/sftp" chroot="$SFTP_BASE/chroot"
  case $SFTP_BASE in /tmp/* | /var/tmp/* | /dev/shm/*) die "sftp: the chroot $SFTP_BASE must not live under a world-writable directory" ;; esac
  mkdir -p "$dir" /run/sshd
  chmod 755 /run/sshd
  id -u "$SFTP_USER" >/dev/null 2>&1 || useradd -M -d "$SFTP_WRITABLE" -s /usr/sbin/nologin "$SFTP_USER"
  printf '%s:%s\n' "$SFTP_USER" "$SFTP_PASSWORD" | chpasswd
  # sshd wants the chroot and each parent root-owned and not writable by group or others.
  install -d -o root -g root -m 755 "$SFTP_BASE" "$chroot" "$SFTP_BASE/keys"
  local p=$SFTP_BASE
  while [[ $p != / ]]; do
    p=$(dirname "$p")
    [[ $(stat -c '%u' "$p") == 0 && $(($(stat -c '0%a' "$p") & 022)) == 0 ]] ||
      die "sftp: $p must be root-owned and not group/world-writable for the chroot $chroot (set FDI_TEST_SFTP_CHROOT elsewhere)"
  done
  install -d -o "$SFTP_USER" -g "$SFTP_USER" -m 755 "$chroot$SFTP_WRITABLE"
  [[ -f $dir/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C fdi-test-host -f "$dir/ssh_host_ed25519_key"
  [[ -f $dir/client_key ]] || ssh-keygen -q -t ed25519 -N '' -C fdi-test-client -f "$dir/client_key"
  # Authorized keys live outside the repo (sshd reads them as the user, who may not reach the repo) and
  # accumulate, so several checkouts on one machine can share the one SFTP port.
  local keys="$SFTP_BASE/keys/$SFTP_USER" pub
  pub=$(cat "$dir/client_key.pub")
  touch "$keys"
  grep -qxF -- "$pub" "$keys" || printf '%s\n' "$pub" >>"$keys"
  chmod 644 "$keys"
  cat >"$dir/sshd_config" <<EOF
Port $SFTP_PORT
ListenAddress $HOST
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $SFTP_BASE/keys/%u
AllowUsers $SFTP_USER
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UsePAM no
StrictModes no
UseDNS no
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp internal-sftp
Match User $SFTP_USER
  ChrootDirectory $chroot
  ForceCommand internal-sftp
  AllowTcpForwarding no
  X11Forwarding no
EOF
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sftp: sshd rejects $dir/sshd_config"
}

sftp_start() {
  local dir="$RUN/sftp" reuse=0
  sftp_prepare # also the client key the reuse check logs in with
  if ! sftp_running && port_open "$SFTP_PORT"; then
    if foreign_service sftp SFTP_PORT sftp_login_works; then reuse=1; else sftp_prepare; fi # sshd_config: the new port
  fi
  if ((reuse)); then
    :
  elif ! sftp_running; then
    rm -f "$dir/sshd.pid"
    log "sftp: starting sshd on $HOST:$SFTP_PORT"
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>&1 9>&- ||
      { tail_log "$dir/sshd.log"; die "sftp: sshd failed to start"; }
  fi
  wait_for sftp 15 sftp_answers || { tail_log "$dir/sshd.log"; die "sftp: no SSH banner within 15s"; }
  sftp_login_works || { tail_log "$dir/sshd.log"; die "sftp: key login as $SFTP_USER and 'ls $SFTP_WRITABLE' failed"; }
}

sftp_stop() {
  sftp_running || return 0
  log "sftp: stopping"
  stop_pid sshd "$(sftp_pid)" 10
}

# ---------------------------------------------------------------------------------------------------------------
# Kafka: librdkafka's mock cluster (ephemeral port) behind the fixed-port front

kafka_answers() { timeout 10 node "$REPO/scripts/kafka-front.mjs" probe "$HOST:$KAFKA_PORT"; }
mock_pid() { pidfile_pid "$RUN/kafka/mockkafka.pid"; }
mock_running() { pid_alive "$(mock_pid)" mockkafka; }
front_pid() { pidfile_pid "$RUN/kafka/front.pid"; }
front_running() { pid_alive "$(front_pid)" kafka-front.mjs; }

kafka_start() {
  local dir="$RUN/kafka"
  mkdir -p "$dir"
  if ! front_running && ! mock_running && port_open "$KAFKA_PORT" && foreign_service kafka KAFKA_PORT kafka_answers; then
    return 0
  fi
  if ! mock_running; then
    rm -f "$dir/mockkafka.pid" "$dir/bootstrap"
    if [[ ! -x $dir/mockkafka || $REPO/scripts/mockkafka.c -nt $dir/mockkafka ]]; then
      log "kafka: compiling scripts/mockkafka.c"
      gcc -O2 -Wall -Wextra -o "$dir/mockkafka.tmp" "$REPO/scripts/mockkafka.c" -lrdkafka >&2 || die "kafka: cannot compile scripts/mockkafka.c"
      mv -f "$dir/mockkafka.tmp" "$dir/mockkafka"
    fi
    local -a topics
    read -r -a topics <<<"${KAFKA_TOPICS:-}"
    log "kafka: starting the mock cluster${topics[*]:+ with topics ${topics[*]}}"
    spawn "$dir/mockkafka.log" "$dir/mockkafka" "$dir/bootstrap" "${topics[@]}"
    echo $! >"$dir/mockkafka.pid"
    wait_for kafka-mock 15 test -s "$dir/bootstrap" || { tail_log "$dir/mockkafka.log"; die "kafka: the mock cluster did not start"; }
  elif [[ -n ${KAFKA_TOPICS:-} ]]; then
    log "kafka: already running; KAFKA_TOPICS applies when the mock starts (restart kafka to create them)"
  fi
  if ! front_running; then
    rm -f "$dir/front.pid"
    if port_open "$KAFKA_PORT"; then foreign_service kafka KAFKA_PORT false || true; fi
    log "kafka: starting the front on $HOST:$KAFKA_PORT"
    spawn "$dir/front.log" node "$REPO/scripts/kafka-front.mjs" serve "@$dir/bootstrap" "$KAFKA_PORT"
    echo $! >"$dir/front.pid"
  fi
  wait_for kafka 15 kafka_answers || { tail_log "$dir/front.log"; tail_log "$dir/mockkafka.log"; die "kafka: no ApiVersions answer on $HOST:$KAFKA_PORT within 15s"; }
}

kafka_stop() {
  if front_running || mock_running; then log "kafka: stopping"; fi
  stop_pid kafka-front.mjs "$(front_pid)" 10
  stop_pid mockkafka "$(mock_pid)" 10
  rm -f "$RUN/kafka/front.pid" "$RUN/kafka/mockkafka.pid" "$RUN/kafka/bootstrap"
}

# ---------------------------------------------------------------------------------------------------------------
# commands

env_text() {
  # Restartable: this state directory started the Redis, so `restart redis` really restarts it (tests that prove
  # data survives a restart run only then; a Redis reused from another checkout is not ours to restart).
  local redis_restartable=0
  redis_running && redis_restartable=1
  # The password-checked PostgreSQL role exists only on the instance this script started and prepared.
  local pg_password=
  if pg_running && [[ -f $(pg_password_marker) ]]; then
    pg_password="FDI_TEST_PG_PASSWORD_USER=$PG_PASSWORD_USER
FDI_TEST_PG_PASSWORD_USER_PASSWORD=$PG_PASSWORD_SECRET"
  fi
  cat <<EOF
FDI_TEST_REDIS_RESTARTABLE=$redis_restartable
FDI_TEST_MYSQL_URL=mysql://app:app@$HOST:$MYSQL_PORT/app
FDI_TEST_PG_URL=postgres://postgres@$HOST:$PG_PORT/app${pg_password:+
$pg_password}
FDI_TEST_REDIS_URL=redis://$HOST:$REDIS_PORT
FDI_TEST_KAFKA_BROKERS=$HOST:$KAFKA_PORT
FDI_TEST_SFTP_HOST=$HOST
FDI_TEST_SFTP_PORT=$SFTP_PORT
FDI_TEST_SFTP_USER=$SFTP_USER
FDI_TEST_SFTP_PASSWORD=$SFTP_PASSWORD
FDI_TEST_SFTP_KEY_FILE=$RUN/sftp/client_key
FDI_TEST_SFTP_ROOT=$SFTP_WRITABLE
EOF
}

write_env() {
  env_text >"$RUN/env.tmp"
  mv -f "$RUN/env.tmp" "$RUN/env"
}

canonical() {
  case $1 in
    mysql | mariadb) echo mysql ;;
    pg | postgres | postgresql) echo pg ;;
    redis) echo redis ;;
    sftp | ssh | sshd) echo sftp ;;
    kafka) echo kafka ;;
    *) die "unknown service '$1' (known: ${ALL_SERVICES[*]})" ;;
  esac
}

# Sets SELECTED to the named services (all when none are named), in start order.
select_services() {
  SELECTED=()
  if (($# == 0)); then SELECTED=("${ALL_SERVICES[@]}"); return; fi
  local s a
  for a in "$@"; do
    s=$(canonical "$a")
    [[ " ${SELECTED[*]} " == *" $s "* ]] || SELECTED+=("$s")
  done
}

start_services() {
  require_root
  lock
  install_packages "$@"
  local s
  for s in "$@"; do "${s}_start"; done
  write_env
}

stop_services() {
  require_root
  lock
  local i
  for ((i = $# ; i >= 1; i--)); do "${!i}_stop"; done
}

status() {
  local s ok=0 state
  for s in "${ALL_SERVICES[@]}"; do
    if "${s}_answers" >/dev/null 2>&1; then state=answering; else state='not answering'; ok=3; fi
    case $s in
      mysql) printf '%-6s %s:%-6s %s\n' "$s" "$HOST" "$MYSQL_PORT" "$state" ;;
      pg) printf '%-6s %s:%-6s %s\n' "$s" "$HOST" "$PG_PORT" "$state" ;;
      redis) printf '%-6s %s:%-6s %s\n' "$s" "$HOST" "$REDIS_PORT" "$state" ;;
      sftp) printf '%-6s %s:%-6s %s\n' "$s" "$HOST" "$SFTP_PORT" "$state" ;;
      kafka) printf '%-6s %s:%-6s %s\n' "$s" "$HOST" "$KAFKA_PORT" "$state" ;;
    esac
  done
  return $ok
}

clean() {
  stop_services "${ALL_SERVICES[@]}"
  local outside="/var/lib/fdi-test-services/$(short_hash)"
  rm -rf "$outside" "$SFTP_BASE/chroot$SFTP_WRITABLE"
  rm -f "$SFTP_BASE/keys/$SFTP_USER"
  find "$RUN" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
  log "removed all test-service data under $RUN and $SFTP_BASE"
}

command=${1:-}
(($# > 0)) && shift
case $command in
  up)
    select_services "$@"
    start_services "${SELECTED[@]}"
    env_text
    ;;
  start)
    (($# > 0)) || usage
    select_services "$@"
    start_services "${SELECTED[@]}"
    ;;
  down | stop)
    [[ $command == stop ]] && (($# == 0)) && usage
    select_services "$@"
    stop_services "${SELECTED[@]}"
    for s in "${SELECTED[@]}"; do forget_moved_port "$s"; done
    ;;
  restart)
    (($# > 0)) || usage
    select_services "$@"
    [[ " ${SELECTED[*]} " != *" redis "* ]] || redis_running || ! redis_answers ||
      die "redis: the server answering on $HOST:$REDIS_PORT was not started from $RUN (reused from another checkout?); not restarting it"
    stop_services "${SELECTED[@]}"
    start_services "${SELECTED[@]}"
    ;;
  status) status ;;
  env) env_text ;;
  clean) clean ;;
  *) usage ;;
esac
