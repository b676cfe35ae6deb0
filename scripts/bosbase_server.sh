#!/usr/bin/env bash
# Runs the real BosBase server, built from its source, on this machine: a private
# PostgreSQL 15 cluster with pgvector, a throwaway data folder, a free 127.0.0.1 port,
# the same seeded accounts as the dev server. Everything it starts is stopped again
# when it exits, also on failure or Ctrl-C.
#
# Usage:
#   BOSBASE_SRC=<tree or .tar.gz> scripts/bosbase_server.sh [--redis] [--execute-path] [--tls] [-- command [args...]]
#   BOSBASE_SRC=<tree or .tar.gz> scripts/bosbase_server.sh --build-only
#
#   Without a command it prints the server's URL and runs until Ctrl-C. With one, it runs
#   the command with these in its environment and exits with the command's status:
#     BOSBASE_URL                 the running server (seeded like the dev server)
#     BOSBASE_TEST_SERVER=bosbase tells the C++ integration tests to start their own real
#                                 servers, one per test, each from a copy of the seeded
#                                 database (BOSBASE_TEST_TEMPLATE_DB) and data folder
#                                 (BOSBASE_TEST_TEMPLATE_DIR) in this script's cluster
#                                 (BOSBASE_TEST_PG_URL, client programs in BOSBASE_TEST_PG_BIN),
#                                 with BOSBASE_SERVER_BIN and the key in BOSBASE_SERVER_ENCRYPTION_KEY
#     REDIS_URL, EXECUTE_PATH     with --redis and --execute-path (the server gets them too)
#     BOSBASE_TLS_URL, BOSBASE_TLS_CA  with --tls: https://127.0.0.1:<port>, nginx terminating TLS
#                                 in front of BOSBASE_URL's server (scripts/tls_proxy.sh), and the
#                                 PEM file of the CA made for this run that signed its certificate;
#     BOSBASE_TLS_PLAIN_URL       and http://127.0.0.1:<port>, the same nginx without TLS (for figures)
#
# Inputs:
#   BOSBASE_SRC   the BosBase server source: an extracted tree (with go.mod) or a tarball whose
#                 top folder is bosbase/. Required.
#   PGVECTOR_SRC  the pgvector source (tree or tarball, top folder pgvector/). Needed only until
#                 pgvector is built once (it is cached); Debian 12 has no package for it.
#   GO            a Go >= 1.25 to build with (default: the one scripts/find_go.sh picks).
#
# Caching: the server binary is kept in ${XDG_CACHE_HOME:-~/.cache}/bosbase-cpp/, keyed by a
# hash of the source and the Go version, and pgvector keyed by its source and PostgreSQL's
# version, so a second run starts in seconds.
#
# Why pgvector lives in a private copy of PostgreSQL's tree: PostgreSQL 15 reads extensions
# only from its own share and lib folders (extension_control_path is PostgreSQL 18), and
# installing there would change the system for every cluster. PostgreSQL finds those folders
# relative to its own executable, so this script lays out a folder that mirrors
# /usr/lib/postgresql/15 and /usr/share/postgresql/15 (links to the system's files, copies of
# the three programs it runs, plus pgvector) and runs the cluster from there. Nothing is
# written outside the cache and a temporary folder.
#
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user that
# Debian's postgresql-15 package creates.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly pg_version=15
readonly pg_libdir=/usr/lib/postgresql/$pg_version
readonly pg_sharedir=/usr/share/postgresql/$pg_version
cache="${XDG_CACHE_HOME:-$HOME/.cache}/bosbase-cpp"

usage() {
    sed -n '/^# Usage:/,/^# Inputs:/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

with_redis=0 with_execute=0 with_tls=0 build_only=0
command_args=()
while (($#)); do
    case "$1" in
        --redis) with_redis=1 ;;
        --execute-path) with_execute=1 ;;
        --tls) with_tls=1 ;;
        --build-only) build_only=1 ;;
        --) shift; command_args=("$@"); break ;;
        -h|--help) usage ;;
        *) echo "error: unknown option '$1'" >&2; usage ;;
    esac
    shift
done

say() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

if [[ -z "${BOSBASE_SRC:-}" ]]; then
    cat >&2 <<'EOF'
error: BOSBASE_SRC is not set, so there is no BosBase server to build.
       Set it to the BosBase server source, an extracted tree or a .tar.gz of it, e.g.
           git clone https://github.com/bosbase/bosbase /path/to/bosbase
           BOSBASE_SRC=/path/to/bosbase bash scripts/bosbase_server.sh
       pgvector is built from PGVECTOR_SRC (a tree or tarball of https://github.com/pgvector/pgvector)
       the first time; Debian 12 has no package for it.
EOF
    exit 2
fi
[[ -e "$BOSBASE_SRC" ]] || die "BOSBASE_SRC=$BOSBASE_SRC does not exist"
BOSBASE_SRC="$(cd "$(dirname "$BOSBASE_SRC")" && pwd)/$(basename "$BOSBASE_SRC")"
if [[ -n "${PGVECTOR_SRC:-}" ]]; then
    [[ -e "$PGVECTOR_SRC" ]] || die "PGVECTOR_SRC=$PGVECTOR_SRC does not exist"
    PGVECTOR_SRC="$(cd "$(dirname "$PGVECTOR_SRC")" && pwd)/$(basename "$PGVECTOR_SRC")"
fi

# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"

for tool in "$pg_libdir/bin/initdb" "$pg_libdir/bin/pg_ctl" "$pg_libdir/bin/postgres" "$pg_libdir/bin/psql" curl python3; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is missing; run: bash scripts/install_deps.sh   (with BOSBASE_SRC set it installs postgresql-$pg_version and the rest)"
done

work="$(mktemp -d /tmp/bosbase-server-XXXXXX)"
pg_user=""
pg_data="$work/pg/data"
server_pid="" redis_pid="" tls_pid="" command_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$command_pid" ]]; then kill "$command_pid" 2>/dev/null || true; wait "$command_pid" 2>/dev/null || true; fi
    if [[ -n "$tls_pid" ]]; then kill "$tls_pid" 2>/dev/null || true; wait "$tls_pid" 2>/dev/null || true; fi
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [[ -n "$redis_pid" ]]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
    if [[ -f "$pg_data/postmaster.pid" ]]; then
        as_pg "$work/pg/root$pg_libdir/bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 ||
            echo "warning: could not stop the PostgreSQL cluster in $pg_data" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg() {  # runs a command as the cluster's owner
    if [[ -n "$pg_user" ]]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the server binary ---------------------------------------------------------------
go_bin="$(bash "$repo/scripts/find_go.sh")" || die "no Go >= 1.25 to build BosBase; run: bash scripts/install_deps.sh"
go_version="$(cd / && GOTOOLCHAIN=local "$go_bin" version | awk '{print $3}')"

# A tree is hashed file by file (without ui/dist, which the build writes); a tarball as it is.
if [[ -d "$BOSBASE_SRC" ]]; then
    [[ -f "$BOSBASE_SRC/go.mod" ]] || die "BOSBASE_SRC=$BOSBASE_SRC has no go.mod; point it at the top of the BosBase source"
    src_hash="$(cd "$BOSBASE_SRC" && find . -type f ! -path './ui/dist/*' ! -path './.git/*' -print0 | LC_ALL=C sort -z |
                xargs -0 sha256sum | sha256sum | cut -c1-16)"
else
    src_hash="$(sha256sum "$BOSBASE_SRC" | cut -c1-16)"
fi
server_key="$(echo "$src_hash $go_version CGO_ENABLED=0" | sha256sum | cut -c1-16)"
server_bin="$cache/server-$server_key/bosbase"

if [[ -x "$server_bin" ]]; then
    say "BosBase server: cached build $server_bin"
else
    started=$SECONDS
    say "building the BosBase server from $BOSBASE_SRC with $go_version (once per source; cached in $cache)"
    build="$work/build"
    mkdir -p "$build"
    if [[ -d "$BOSBASE_SRC" ]]; then
        # A copy, so that the placeholder UI below never lands in the user's tree.
        cp -a "$BOSBASE_SRC" "$build/bosbase"
    else
        tar -xzf "$BOSBASE_SRC" -C "$build" || die "could not unpack BOSBASE_SRC=$BOSBASE_SRC (a .tar.gz whose top folder is bosbase/)"
        [[ -f "$build/bosbase/go.mod" ]] || die "BOSBASE_SRC=$BOSBASE_SRC has no bosbase/go.mod inside"
    fi
    # The admin UI is embedded from ui/dist, which the source does not contain; the API needs none.
    if [[ ! -e "$build/bosbase/ui/dist/index.html" ]]; then
        mkdir -p "$build/bosbase/ui/dist"
        echo '<!doctype html><title>BosBase</title><p>Admin UI not built (bosbase-cpp test server).</p>' \
            >"$build/bosbase/ui/dist/index.html"
    fi
    mkdir -p "$(dirname "$server_bin")"
    run_logged "$work/logs/server-build.log" \
        "Building BosBase failed (the Go errors are above). Is BOSBASE_SRC a BosBase server source? The Go module proxy must be reachable for the first build." \
        env -C "$build/bosbase" CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go_bin" build -trimpath \
            -o "$server_bin.tmp.$$" ./examples/base
    # Renamed into place: another run building the same source at once never sees half a file.
    mv "$server_bin.tmp.$$" "$server_bin"
    rm -rf "$build"
    say "built $server_bin in $((SECONDS - started)) s"
fi
if ((build_only)); then
    echo "$server_bin"
fi

# --- pgvector ------------------------------------------------------------------------
pg_full_version="$("$pg_libdir/bin/postgres" --version | awk '{print $3}')"
if [[ -f "$pg_sharedir/extension/vector.control" ]]; then
    vector_dir=""  # installed system-wide already (e.g. by a package): nothing to add
else
    if [[ -n "${PGVECTOR_SRC:-}" ]]; then
        if [[ -d "$PGVECTOR_SRC" ]]; then
            vector_hash="$(cd "$PGVECTOR_SRC" && find . -type f ! -name '*.o' ! -name '*.so' ! -name '*.bc' -print0 |
                           LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
        else
            vector_hash="$(sha256sum "$PGVECTOR_SRC" | cut -c1-16)"
        fi
        vector_dir="$cache/pgvector-$(echo "$vector_hash $pg_full_version" | sha256sum | cut -c1-16)"
    else
        vector_dir=""
        for d in "$cache"/pgvector-*; do
            if [[ "$d" != *.tmp.* && -f "$d/lib/vector.so" ]]; then vector_dir="$d"; break; fi
        done
        [[ -n "$vector_dir" ]] || die "pgvector is needed and not built yet: set PGVECTOR_SRC to its source (a tree or a tarball of https://github.com/pgvector/pgvector)"
    fi
    if [[ ! -f "$vector_dir/lib/vector.so" ]]; then
        [[ -x "$pg_libdir/bin/pg_config" && -d /usr/include/postgresql/$pg_version/server ]] ||
            die "building pgvector needs postgresql-server-dev-$pg_version; run: bash scripts/install_deps.sh (with PGVECTOR_SRC set)"
        say "building pgvector from $PGVECTOR_SRC (once; cached in $vector_dir)"
        pgv="$work/pgvector"
        mkdir -p "$pgv"
        if [[ -d "$PGVECTOR_SRC" ]]; then cp -a "$PGVECTOR_SRC" "$pgv/pgvector"; else tar -xzf "$PGVECTOR_SRC" -C "$pgv"; fi
        [[ -f "$pgv/pgvector/vector.control" ]] || die "PGVECTOR_SRC=$PGVECTOR_SRC is not the pgvector source (no pgvector/vector.control)"
        # OPTFLAGS="": no -march=native, so the cached library runs on any x86-64; no LLVM bitcode.
        pgv_make=(make -C "$pgv/pgvector" PG_CONFIG="$pg_libdir/bin/pg_config" OPTFLAGS="" with_llvm=no)
        run_logged "$work/logs/pgvector-build.log" "Building pgvector failed: see the compiler errors above." \
            "${pgv_make[@]}" -j "$(nproc)"
        run_logged "$work/logs/pgvector-build.log" "Installing pgvector into $pgv/dest failed." \
            "${pgv_make[@]}" install DESTDIR="$pgv/dest"
        mkdir -p "$vector_dir.tmp.$$/lib" "$vector_dir.tmp.$$/extension"
        cp "$pgv/dest$pg_libdir/lib/vector.so" "$vector_dir.tmp.$$/lib/"
        cp "$pgv/dest$pg_sharedir/extension/"vector* "$vector_dir.tmp.$$/extension/"
        rm -rf "$vector_dir"
        mv "$vector_dir.tmp.$$" "$vector_dir"
    fi
fi
if ((build_only)); then exit 0; fi

# --- a private PostgreSQL cluster ----------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "PostgreSQL cannot run as root and there is no 'postgres' user; run: bash scripts/install_deps.sh"
    pg_user=postgres
fi
root="$work/pg/root"
mkdir -p "$root$pg_libdir/bin" "$root$pg_libdir/lib" "$root$pg_sharedir/extension" "$pg_data" "$work/pg/socket"
cp "$pg_libdir/bin/postgres" "$pg_libdir/bin/initdb" "$pg_libdir/bin/pg_ctl" "$root$pg_libdir/bin/"
ln -s "$pg_libdir"/lib/* "$root$pg_libdir/lib/"
for f in "$pg_sharedir"/*; do [[ "${f##*/}" == extension ]] || ln -s "$f" "$root$pg_sharedir/"; done
ln -s "$pg_sharedir"/extension/* "$root$pg_sharedir/extension/"
if [[ -n "$vector_dir" ]]; then
    cp "$vector_dir/lib/vector.so" "$root$pg_libdir/lib/"
    cp "$vector_dir/extension/"* "$root$pg_sharedir/extension/"
fi
chmod 755 "$work"
chmod -R a+rX "$work/pg"
[[ -z "$pg_user" ]] || chown -R "$pg_user" "$pg_data" "$work/pg/socket"

pg_port="$(free_port)"
run_logged "$work/logs/initdb.log" "initdb failed: see above." \
    as_pg "$root$pg_libdir/bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync
# Throwaway data: durability settings off; enough connections for several servers at once.
touch "$work/pg/postgres.log" && { [[ -z "$pg_user" ]] || chown "$pg_user" "$work/pg/postgres.log"; }
run_logged "$work/logs/pg_ctl.log" "PostgreSQL did not start; its log: $work/pg/postgres.log" \
    as_pg "$root$pg_libdir/bin/pg_ctl" -D "$pg_data" -l "$work/pg/postgres.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
pg_url="postgres://postgres@127.0.0.1:$pg_port"
psql_cmd() { "$pg_libdir/bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
say "PostgreSQL $pg_full_version on 127.0.0.1:$pg_port (private cluster, pgvector ${vector_dir:+from $vector_dir}${vector_dir:-installed in the system})"

# --- optional parts ------------------------------------------------------------------
if ((with_redis)); then
    command -v redis-server >/dev/null || die "--redis needs redis-server; run: apt-get install redis-server"
    redis_port="$(free_port)"
    mkdir -p "$work/redis"
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work/redis" \
        --logfile "$work/redis/redis.log" &
    redis_pid=$!
    export REDIS_URL="redis://127.0.0.1:$redis_port"
fi
if ((with_execute)); then
    export EXECUTE_PATH="$work/execute"
    mkdir -p "$EXECUTE_PATH"
fi

# --- the seeded template and the server ----------------------------------------------
export BOSBASE_SERVER_ENCRYPTION_KEY
BOSBASE_SERVER_ENCRYPTION_KEY="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
template_db=bosbase_template
template_dir="$work/template"

# start_server <database> <data folder> <port>: sets server_pid
start_server() {
    local db="$1" dir="$2" port="$3"
    # The working folder is empty: BosBase loads pb_hooks/ from there.
    (cd "$work/cwd" && SASSPB_POSTGRES_URL="$pg_url/$db?sslmode=disable" exec "$server_bin" --dir "$dir" \
        --encryptionEnv BOSBASE_SERVER_ENCRYPTION_KEY --dev=false serve --http="127.0.0.1:$port") \
        >>"$work/logs/server.log" 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + 60))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/api/health")" == 200 ]]; do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            tail -n 30 "$work/logs/server.log" >&2
            server_pid=""
            die "the BosBase server exited during startup (its output above)"
        fi
        ((SECONDS < deadline)) || { tail -n 30 "$work/logs/server.log" >&2; die "/api/health did not answer 200 within 60 s"; }
        sleep 0.1
    done
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# api <method> <path> [json body] [token]: prints the answer, fails on a status >= 400
api() {
    local method="$1" path="$2" body="${3:-}" token="${4:-}" out status
    out="$(curl -s -w '\n%{http_code}' -X "$method" "$url$path" -H 'Content-Type: application/json' \
           ${token:+-H "Authorization: $token"} ${body:+--data-binary "$body"})"
    status="${out##*$'\n'}"
    out="${out%$'\n'*}"
    if ((status >= 400)); then
        echo "error: $method $path answered $status: $out" >&2
        return 1
    fi
    printf '%s' "$out"
}
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

mkdir -p "$work/logs" "$work/cwd"
psql_cmd -d postgres -c "CREATE DATABASE $template_db" >/dev/null
psql_cmd -d "$template_db" -c 'CREATE EXTENSION vector' >/dev/null
# Runs the migrations too.
run_logged "$work/logs/superuser.log" "Creating the superuser failed: see above." \
    env -C "$work/cwd" SASSPB_POSTGRES_URL="$pg_url/$template_db?sslmode=disable" "$server_bin" --dir "$template_dir" \
    --encryptionEnv BOSBASE_SERVER_ENCRYPTION_KEY --dev=false superuser upsert admin@example.com admin-password

# The same accounts and posts collection as the dev server (tests/server/app.go).
port="$(free_port)"
url="http://127.0.0.1:$port"
start_server "$template_db" "$template_dir" "$port"
admin_token="$(api POST /api/collections/_superusers/auth-with-password \
    '{"identity":"admin@example.com","password":"admin-password"}' | json_field token)"
for account in user:user-password other:other-password; do
    email="${account%%:*}@example.com" password="${account#*:}"
    api POST /api/collections/users/records \
        "{\"email\":\"$email\",\"password\":\"$password\",\"passwordConfirm\":\"$password\",\"verified\":true}" \
        "$admin_token" >/dev/null
done
# Unlike PocketBase, BosBase gives a new collection create/update/delete rules for any
# signed-in record unless they are sent as null; the dev server's posts are written by
# superusers only.
api POST /api/collections '{"name":"posts","type":"base","listRule":"","viewRule":"",
    "createRule":null,"updateRule":null,"deleteRule":null,"fields":[
    {"name":"title","type":"text"},{"name":"body","type":"text"},
    {"name":"created","type":"autodate","onCreate":true},{"name":"updated","type":"autodate","onCreate":true,"onUpdate":true}]}' \
    "$admin_token" >/dev/null

# The first bind creates the token bindings table, and a server that looked for it before
# keeps it cached as missing for about 2 s. Bind once here, so every copy of the template
# starts with the table; poll the sign-in until it works, then unbind.
warm_token="warm-up-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bind_body="{\"email\":\"user@example.com\",\"password\":\"user-password\",\"token\":\"$warm_token\"}"
api POST /api/collections/users/bind-token "$bind_body" >/dev/null
deadline=$((SECONDS + 10))
until api POST /api/collections/users/auth-with-token "{\"token\":\"$warm_token\"}" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "a bound token still did not sign in after 10 s"
    sleep 0.1
done
api POST /api/collections/users/unbind-token "$bind_body" >/dev/null
stop_server

# The server a user or a command talks to runs on a copy; the template stays untouched
# (CREATE DATABASE ... TEMPLATE needs it without connections).
psql_cmd -d postgres -c "CREATE DATABASE bosbase TEMPLATE $template_db" >/dev/null
cp -a "$template_dir" "$work/data"
start_server bosbase "$work/data" "$port"

export BOSBASE_URL="$url"

# --- optional: nginx terminating TLS in front of that server ---------------------------
if ((with_tls)); then
    tls_port="$(free_port)"
    tls_plain_port="$(free_port)"
    while [[ "$tls_plain_port" == "$tls_port" ]]; do tls_plain_port="$(free_port)"; done
    bash "$repo/scripts/tls_proxy.sh" "$work/tls" "$tls_port" "127.0.0.1:$port" "$tls_plain_port" >>"$work/logs/tls.log" 2>&1 &
    tls_pid=$!
    export BOSBASE_TLS_URL="https://127.0.0.1:$tls_port" BOSBASE_TLS_CA="$work/tls/ca.pem"
    export BOSBASE_TLS_PLAIN_URL="http://127.0.0.1:$tls_plain_port"
    # Ready when the health check passes through it with the run's CA, which also proves the chain.
    deadline=$((SECONDS + 20))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$BOSBASE_TLS_CA" "$BOSBASE_TLS_URL/api/health" 2>/dev/null)" == 200 ]]; do
        if ! kill -0 "$tls_pid" 2>/dev/null; then
            tls_pid=""
            cat "$work/logs/tls.log" "$work/tls/error.log" "$work/tls/openssl.log" >&2 2>/dev/null || true
            die "the TLS proxy (nginx) exited during startup (its output above)"
        fi
        ((SECONDS < deadline)) || { cat "$work/tls/error.log" >&2 2>/dev/null || true; die "no 200 from $BOSBASE_TLS_URL/api/health within 20 s"; }
        sleep 0.1
    done
fi
export BOSBASE_TEST_SERVER=bosbase
export BOSBASE_SERVER_BIN="$server_bin"
export BOSBASE_TEST_PG_URL="$pg_url"
export BOSBASE_TEST_PG_BIN="$pg_libdir/bin"
export BOSBASE_TEST_TEMPLATE_DB="$template_db"
export BOSBASE_TEST_TEMPLATE_DIR="$template_dir"

say "BosBase running at $url (PostgreSQL database 'bosbase', data folder $work/data${REDIS_URL:+, Redis $REDIS_URL}${EXECUTE_PATH:+, EXECUTE_PATH=$EXECUTE_PATH})"
((with_tls == 0)) || say "and through nginx at $BOSBASE_TLS_URL (trust $BOSBASE_TLS_CA, a CA made for this run)"
say "seeded accounts: user@example.com / user-password and other@example.com / other-password in 'users', admin@example.com / admin-password in '_superusers'"

if ((${#command_args[@]})); then
    # In the background and waited for, so that a signal to this script still runs the cleanup.
    "${command_args[@]}" &
    command_pid=$!
    rc=0
    wait "$command_pid" || rc=$?
    command_pid=""
    exit "$rc"
fi

echo "$url"
say "press Ctrl-C to stop the server and remove everything it used"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
die "the BosBase server exited by itself (status $rc); its output: $work/logs/server.log"
