#!/usr/bin/env bash
# Makes the certificates of a small test cluster with openssl (EC P-256, RSA for service accounts).
# Usage: pki.sh DIR CP_IP NODE_NAME:IP...   (writes DIR/*.crt, *.key, *.kubeconfig)
set -euo pipefail
dir=$1 cp_ip=$2
shift 2
mkdir -p "$dir" && cd "$dir"

ca() { # ca NAME CN
  [[ -f $1.crt ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.crt" \
    -days 3650 -subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,digitalSignature,keyCertSign,cRLSign 2>/dev/null
}

cert() { # cert NAME CA SUBJECT USAGE [SAN]
  local name=$1 ca=$2 subj=$3 usage=$4 san=${5:-}
  [[ -f $name.crt ]] && return 0
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -z $san ]] || echo "subjectAltName=$san"
  } >"$name.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" \
    -out "$name.csr" -subj "$subj" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 3650 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

kubeconfig() { # kubeconfig NAME USER SERVER
  cat >"$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: zke
  cluster:
    certificate-authority: /etc/kubernetes/ssl/kube-ca.crt
    server: $3
contexts:
- name: zke
  context: {cluster: zke, user: $2}
current-context: zke
users:
- name: $2
  user:
    client-certificate: /etc/kubernetes/ssl/$1.crt
    client-key: /etc/kubernetes/ssl/$1.key
KC
}

ca kube-ca kube-ca
ca etcd-ca etcd-ca
ca front-proxy-ca front-proxy-ca
names="DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
names+=",DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.43.0.1,IP:$cp_ip"
cert kube-apiserver kube-ca /CN=kube-apiserver serverAuth "$names"
cert kube-apiserver-kubelet-client kube-ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert kube-apiserver-etcd-client etcd-ca /CN=kube-apiserver-etcd-client clientAuth
cert kube-apiserver-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
cert etcd etcd-ca /CN=etcd serverAuth,clientAuth "IP:$cp_ip,IP:127.0.0.1,DNS:localhost"
cert kube-admin kube-ca "/O=system:masters/CN=kube-admin" clientAuth
cert kube-controller-manager kube-ca /CN=system:kube-controller-manager clientAuth
cert kube-scheduler kube-ca /CN=system:kube-scheduler clientAuth
cert kube-proxy kube-ca /CN=system:kube-proxy clientAuth
[[ -f kube-service-account-token.key ]] || {
  openssl genrsa -out kube-service-account-token.key 2048 2>/dev/null
  openssl rsa -in kube-service-account-token.key -pubout -out kube-service-account-token.pub 2>/dev/null
}
server=https://127.0.0.1:6443
kubeconfig kube-controller-manager system:kube-controller-manager $server
kubeconfig kube-scheduler system:kube-scheduler $server
kubeconfig kube-proxy system:kube-proxy $server
kubeconfig kube-admin kube-admin "https://$cp_ip:6443"
for n in "$@"; do
  name=${n%%:*} ip=${n#*:}
  cert "kube-node-$name" kube-ca "/O=system:nodes/CN=system:node:$name" clientAuth
  cert "kube-node-$name-serving" kube-ca "/CN=$name" serverAuth "IP:$ip,DNS:$name"
  kubeconfig "kube-node-$name" "system:node:$name" $server
done
chmod 600 ./*.key
