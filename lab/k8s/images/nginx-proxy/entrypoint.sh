#!/bin/bash
# Generates /etc/nginx/nginx.conf from CP_HOSTS (comma-separated controlplane addresses) and runs nginx
# in the foreground. LISTEN (default 127.0.0.1:6443) and CP_PORT (default 6443) can be overridden.
set -euo pipefail
: "${CP_HOSTS:?CP_HOSTS must list the controlplane addresses, comma-separated}"
listen=${LISTEN:-127.0.0.1:6443}
port=${CP_PORT:-6443}
servers=""
IFS=, read -ra hosts <<<"$CP_HOSTS"
for h in "${hosts[@]}"; do
  h=${h// /}
  [[ -n $h ]] && servers+="    server $h:$port max_fails=2 fail_timeout=5s;"$'\n'
done
cat >/etc/nginx/nginx.conf <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes auto;
error_log stderr warn;
pid /run/nginx.pid;
events { worker_connections 4096; }
stream {
  upstream kube_apiserver {
    least_conn;
$servers  }
  server {
    listen $listen;
    proxy_pass kube_apiserver;
    proxy_connect_timeout 2s;
    proxy_timeout 30m;
  }
}
CONF
echo "nginx-proxy: $listen -> ${CP_HOSTS} (port $port)"
exec nginx -g 'daemon off;'
