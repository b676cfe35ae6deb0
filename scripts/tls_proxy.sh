#!/usr/bin/env bash
# An https:// front for a plain-HTTP server on this machine: nginx as a TLS terminator on
# 127.0.0.1:<port>, with a CA and a server certificate for IP 127.0.0.1 made for this run.
# It proxies plain calls, server-sent events and streamed bodies without buffering, and
# WebSocket upgrades. scripts/bosbase_server.sh --tls runs it in front of the real BosBase.
#
# Usage: scripts/tls_proxy.sh <folder> <port> <upstream host:port> [<plain port>]
#   With <plain port>, the same proxy also listens there without TLS: the same path minus TLS,
#   for comparing figures (scripts/bench_pubsub.sh). Writes <folder>/ca.pem (the CA to trust), the server's key and certificate, nginx.conf and
#   nginx's logs and temporary files, all inside <folder>, then becomes nginx in the
#   foreground (one process, no daemon): its process id is this script's, and stopping it
#   stops the proxy. Needs the openssl command and nginx (scripts/install_deps.sh installs
#   nginx-light when BOSBASE_SRC is set); root is not needed.
set -euo pipefail

if (($# != 3 && $# != 4)); then
    sed -n '/^# Usage:/,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
dir="$1" port="$2" upstream="$3" plain_port="${4:-}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$nginx_bin" ]] || { echo "error: nginx is missing; run: bash scripts/install_deps.sh (with BOSBASE_SRC set it installs nginx-light)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "error: the openssl command is missing (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir/temp"
dir="$(cd "$dir" && pwd)"

# A CA that exists for this run only, and a leaf for 127.0.0.1 that it signs: what a client
# trusting ca.pem checks is the chain and the IP address, as with a real deployment's CA.
# P-256 keys: made in milliseconds.
ossl() { openssl "$@" 2>>"$dir/openssl.log" >/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -days 2 -subj "/CN=bosbase-cpp test CA $(date -u +%Y%m%dT%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/server.key" -out "$dir/server.csr" \
    -subj "/CN=127.0.0.1"
printf '%s\n' "subjectAltName=IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
ossl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
    -days 2 -sha256 -extfile "$dir/server.ext" -out "$dir/server.pem"
rm -f "$dir/ca.key" "$dir/server.csr"

# daemon off and master_process off: one foreground process that the caller owns and stops.
# Buffering off both ways: server-sent events reach the client as they are written, and a
# streamed upload reaches the server while the client still sends it (nginx would otherwise
# spool it to disk first). client_max_body_size 0: no limit of nginx's own on uploads.
cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
    server {
        listen 127.0.0.1:$port ssl;
        ${plain_port:+listen 127.0.0.1:$plain_port;}
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        client_max_body_size 0;
        location / {
            proxy_pass http://$upstream;
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto https;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_cache off;
            proxy_connect_timeout 10s;
            proxy_send_timeout 600s;
            proxy_read_timeout 600s;
            send_timeout 600s;
        }
    }
}
EOF
exec "$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
