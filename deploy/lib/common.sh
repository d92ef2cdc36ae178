# Shell helpers shared by the deploy/ and tests/ scripts: logging, free ports,
# stopping a process we started (by its PID only), and the cache directory.
# Source it; it defines functions and changes nothing else.

lt_log()  { printf '%s %s\n' "[$(date -u +%H:%M:%S)] ${LT_LOG_TAG:-lienthong}:" "$*" >&2; }
lt_die()  { lt_log "error: $*"; exit 1; }

# Where downloaded artefacts (Kafka jars) are kept between runs, outside git.
lt_cache_dir() {
  printf '%s\n' "${LT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lienthong}"
}

# lt_port_free PORT: true when nothing listens on 127.0.0.1:PORT (TCP).
lt_port_free() {
  local p=$1
  [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]
}

# lt_free_port [EXCLUDE...]: prints a TCP port in 20000-59999 that nothing listens
# on and that is not among EXCLUDE. Random, so two stacks started at once rarely
# race for the same port; the caller still checks the server really bound it.
lt_free_port() {
  local p tries=0 ex
  while [ $tries -lt 200 ]; do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    tries=$((tries + 1))
    for ex in "$@"; do [ "$ex" = "$p" ] && continue 2; done
    if lt_port_free "$p"; then printf '%s\n' "$p"; return 0; fi
  done
  lt_die "no free TCP port found after 200 tries"
}

# lt_pid_alive PIDFILE: true when the PID in PIDFILE is a live process.
lt_pid_alive() {
  local f=$1 pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# lt_stop_pidfile PIDFILE NAME [SECONDS]: SIGTERM the process we started, wait up
# to SECONDS (default 30) for it to exit, then SIGKILL. Removes the pid file.
lt_stop_pidfile() {
  local f=$1 name=$2 secs=${3:-30} pid i
  if ! lt_pid_alive "$f"; then rm -f "$f"; return 0; fi
  pid=$(cat "$f")
  lt_log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
    sleep 0.1
  done
  lt_log "$name (pid $pid) did not stop in ${secs}s: sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}
