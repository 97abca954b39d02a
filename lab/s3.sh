# s3.sh - an S3-compatible server for the lab: versitygw (built from the Go module proxy into the lab's build
# cache by lab/k8s/build-go.sh) on $S3_ADDR with TLS from its own small CA, a POSIX backend under
# $ZLAB_ROOT/s3/data, a bucket "zke" and random root credentials. `zlab.sh s3` starts it, `down` stops it.
# What a test or a user needs is in $ZLAB_ROOT/s3: env (S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY,
# S3_CA_FILE, S3_DATA_DIR; mode 600) and ca.pem.
# shellcheck shell=bash

S3_VERSION=v1.8.0
S3_ADDR=$NET.1:7070
S3_DIR=$ZLAB_ROOT/s3
S3_BUCKET=zke

s3_bin() { echo "$ZKE_LAB_CACHE/build/bin/versitygw-$S3_VERSION/versitygw"; }
# this lab's versitygw processes, by their command line (it names this lab's data dir), not by a PID file: a
# PID the kernel gave to another process since is never touched
s3_pids() {
  local p cmd
  for p in $(pgrep -x versitygw); do
    cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2> /dev/null) || continue
    [[ $cmd != *" posix $S3_DIR/data "* ]] || echo "$p"
  done
  return 0
}
s3_pid() { s3_pids | head -n 1; }

# the CA and the server's certificate (for the lab address), made once per lab
s3_certs() {
  [ -f "$S3_DIR/cert.pem" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=zlab-s3-ca-$ZLAB_ID" \
    -keyout "$S3_DIR/ca.key" -out "$S3_DIR/ca.pem" 2> /dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${S3_ADDR%:*}" \
    -keyout "$S3_DIR/key.pem" -out "$S3_DIR/server.csr" 2> /dev/null
  openssl x509 -req -in "$S3_DIR/server.csr" -CA "$S3_DIR/ca.pem" -CAkey "$S3_DIR/ca.key" -CAcreateserial \
    -days 30 -extfile <(printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "${S3_ADDR%:*}") \
    -out "$S3_DIR/cert.pem" 2> /dev/null
  chmod 600 "$S3_DIR"/*.key "$S3_DIR/key.pem"
}

s3_env() {
  [ -f "$S3_DIR/env" ] && return 0
  (
    umask 077
    cat > "$S3_DIR/env" <<EOV
S3_ENDPOINT=https://$S3_ADDR
S3_BUCKET=$S3_BUCKET
S3_REGION=us-east-1
S3_ACCESS_KEY=zlab$(openssl rand -hex 6)
S3_SECRET_KEY=$(openssl rand -hex 20)
S3_CA_FILE=$S3_DIR/ca.pem
S3_DATA_DIR=$S3_DIR/data
EOV
  )
}

S3_EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# curl with SigV4 (bodiless requests only); the credentials go in through a config on stdin, never on the
# command line
s3_curl() {
  # shellcheck source=/dev/null
  . "$S3_DIR/env"
  printf 'user = "%s:%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" |
    curl_lab -K - --aws-sigv4 "aws:amz:us-east-1:s3" -H "x-amz-content-sha256: $S3_EMPTY_SHA256" --cacert "$S3_DIR/ca.pem" "$@"
}

s3_answers() { s3_curl -fo /dev/null "https://$S3_ADDR/"; }
s3_settled() { s3_answers 2> /dev/null || [ -z "$(s3_pid)" ]; }

s3_up() {
  need_lab
  if [ -n "$(s3_pid)" ]; then s3_info; return 0; fi
  bash "$LAB_DIR/k8s/build-go.sh" versitygw github.com/versity/versitygw "$S3_VERSION" '' ./cmd/versitygw >&2
  mkdir -p -m 700 "$S3_DIR/data"
  s3_certs
  s3_env
  (
    # shellcheck source=/dev/null
    . "$S3_DIR/env"
    export ROOT_ACCESS_KEY=$S3_ACCESS_KEY ROOT_SECRET_KEY=$S3_SECRET_KEY VGW_REGION=$S3_REGION
    export VGW_PORT=$S3_ADDR VGW_CERT=$S3_DIR/cert.pem VGW_KEY=$S3_DIR/key.pem
    setsid "$(s3_bin)" posix "$S3_DIR/data" > "$S3_DIR/versitygw.log" 2>&1 < /dev/null &
  )
  wait_for 20 s3_settled
  s3_answers || { tail -n 20 "$S3_DIR/versitygw.log" >&2; die "versitygw does not answer on $S3_ADDR"; }
  [ -d "$S3_DIR/data/$S3_BUCKET" ] || s3_curl -f -X PUT -o /dev/null "https://$S3_ADDR/$S3_BUCKET"
  s3_info
}

s3_info() { log "s3 up: https://$S3_ADDR bucket $S3_BUCKET, CA $S3_DIR/ca.pem, credentials in $S3_DIR/env"; }

s3_down() {
  # shellcheck disable=SC2046 # a list of PIDs
  stop_pids 5 $(s3_pids)
}
