# Sourced by the replication tests (after lib.sh) and bench/pull.sh: a real
# nginx on 127.0.0.1, on a free port, serving a directory. Its config, pid,
# logs and temp files live in a private directory; nothing under /etc or
# /var is used. nginx runs in the foreground as a child of the caller, so
# lib.sh's exit handler (or nginx_stop) ends it even when a test fails.
#
#   nginx_start NAME ROOT [EXTRA_SERVER_DIRECTIVES] [LISTEN_SUFFIX]
#     sets NGINX_PORT_<NAME> and NGINX_URL_<NAME> (http://127.0.0.1:PORT),
#     and NGINX_LOG_<NAME> (its access log).
#   nginx_stop NAME

# A TCP port nothing listens on now.
nginx_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

declare -gA _NGINX_PIDS=()

nginx_start() {
  local name=$1 root=$2 extra=${3:-} listen_suffix=${4:-} scheme=http
  local dir=${TEST_TMP:-${BENCH_TMP:?}}/nginx-$name port i
  command -v nginx >/dev/null || { echo "nginx is not installed (scripts/install-deps.sh)" >&2; return 1; }
  [[ $listen_suffix == *ssl* ]] && scheme=https
  mkdir -p "$dir/tmp"
  port=$(nginx_free_port)
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process ${NGINX_MASTER:-off};
worker_processes ${NGINX_WORKERS:-1};
user root;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  types { application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_requests 100000;
  sendfile on;
  server {
    listen 127.0.0.1:$port $listen_suffix;
    root $root;
    $extra
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" &
  _NGINX_PIDS[$name]=$!
  printf -v "NGINX_PORT_$name" '%s' "$port"
  printf -v "NGINX_URL_$name" '%s' "$scheme://127.0.0.1:$port"
  printf -v "NGINX_LOG_$name" '%s' "$dir/access.log"
  # Ready when it accepts connections.
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "${_NGINX_PIDS[$name]}" 2>/dev/null || { cat "$dir/error.log" >&2; return 1; }
    sleep 0.05
  done
  echo "nginx $name did not start listening on $port" >&2
  cat "$dir/error.log" >&2
  return 1
}

nginx_stop() {
  local pid=${_NGINX_PIDS[$1]:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "_NGINX_PIDS[$1]"
}
