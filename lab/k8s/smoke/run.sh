#!/usr/bin/env bash
# Hand-made Kubernetes on a running lab (bash lab/zlab.sh up 3), the way RKE runs it: every component a
# Docker container with host networking. zlab1: etcd + controlplane + worker; the other hosts: workers
# reaching the apiserver through nginx-proxy on 127.0.0.1:6443. Then flannel, a pod on every node.
# Usage: [ZLAB_ID=N] bash lab/k8s/smoke/run.sh [v1.33.13]   (leaves the cluster running; zlab.sh down removes it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../versions.sh"
ver=${1:-v1.33.13}
source "$here/lab.sh"
SSH=(ssh -F "$ZLAB_ROOT/ssh_config")
pki=$ZLAB_ROOT/k8s-pki
hosts=(zlab1 zlab2 zlab3)
declare -A ip=([zlab1]=$NET.11 [zlab2]=$NET.12 [zlab3]=$NET.13)
cp=zlab1
HK=zke/hyperkube:$ver
SSL=/etc/kubernetes/ssl
on() { local h=$1; shift; "${SSH[@]}" "$h" "$@"; }
dk() { local h=$1; shift; on "$h" /usr/bin/docker "$@"; }
# run HOST NAME IMAGE [docker options] -- [command and args]: (re)creates a host-network container
run() {
  local h=$1 name=$2 image=$3 opts=()
  shift 3
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  (($# == 0)) || shift # the --
  dk "$h" rm -f "$name" >/dev/null 2>&1 || true
  dk "$h" run -d --name "$name" --net=host --restart=always "${opts[@]}" "$image" "$@" >/dev/null
  echo "$h: $name started"
}

nodes=(); for h in "${hosts[@]}"; do nodes+=("$h:${ip[$h]}"); done
bash "$here/pki.sh" "$pki" "${ip[$cp]}" "${nodes[@]}"
for h in "${hosts[@]}"; do
  on "$h" mkdir -p $SSL /etc/kubernetes/manifests
  tar -C "$pki" -c . | on "$h" tar -C $SSL -x
done

# --- etcd and controlplane on zlab1
run $cp etcd zke/etcd:v3.4.23 -v $SSL:$SSL:ro -v /var/lib/etcd:/var/lib/etcd -- etcd --name etcd-$cp \
  --data-dir /var/lib/etcd/data --listen-client-urls "https://${ip[$cp]}:2379,https://127.0.0.1:2379" \
  --advertise-client-urls "https://${ip[$cp]}:2379" --listen-peer-urls "https://${ip[$cp]}:2380" \
  --initial-advertise-peer-urls "https://${ip[$cp]}:2380" --initial-cluster "etcd-$cp=https://${ip[$cp]}:2380" \
  --client-cert-auth --trusted-ca-file $SSL/etcd-ca.crt --cert-file $SSL/etcd.crt --key-file $SSL/etcd.key \
  --peer-client-cert-auth --peer-trusted-ca-file $SSL/etcd-ca.crt --peer-cert-file $SSL/etcd.crt --peer-key-file $SSL/etcd.key
run $cp kube-apiserver "$HK" -v $SSL:$SSL:ro -- kube-apiserver \
  --advertise-address="${ip[$cp]}" --bind-address=0.0.0.0 --secure-port=6443 \
  --etcd-servers=https://127.0.0.1:2379 --etcd-cafile=$SSL/etcd-ca.crt \
  --etcd-certfile=$SSL/kube-apiserver-etcd-client.crt --etcd-keyfile=$SSL/kube-apiserver-etcd-client.key \
  --tls-cert-file=$SSL/kube-apiserver.crt --tls-private-key-file=$SSL/kube-apiserver.key \
  --client-ca-file=$SSL/kube-ca.crt --kubelet-certificate-authority=$SSL/kube-ca.crt \
  --kubelet-client-certificate=$SSL/kube-apiserver-kubelet-client.crt \
  --kubelet-client-key=$SSL/kube-apiserver-kubelet-client.key \
  --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname \
  --service-account-key-file=$SSL/kube-service-account-token.pub \
  --service-account-signing-key-file=$SSL/kube-service-account-token.key \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.43.0.0/16 --service-node-port-range=30000-32767 \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --allow-privileged=true \
  --requestheader-client-ca-file=$SSL/front-proxy-ca.crt --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file=$SSL/kube-apiserver-proxy-client.crt --proxy-client-key-file=$SSL/kube-apiserver-proxy-client.key
run $cp kube-controller-manager "$HK" -v $SSL:$SSL:ro -- kube-controller-manager \
  --kubeconfig=$SSL/kube-controller-manager.kubeconfig \
  --authentication-kubeconfig=$SSL/kube-controller-manager.kubeconfig \
  --authorization-kubeconfig=$SSL/kube-controller-manager.kubeconfig \
  --bind-address=127.0.0.1 --leader-elect=true --use-service-account-credentials=true \
  --allocate-node-cidrs=true --cluster-cidr=10.42.0.0/16 --node-cidr-mask-size=24 \
  --service-cluster-ip-range=10.43.0.0/16 --root-ca-file=$SSL/kube-ca.crt \
  --service-account-private-key-file=$SSL/kube-service-account-token.key \
  --cluster-signing-cert-file=$SSL/kube-ca.crt --cluster-signing-key-file=$SSL/kube-ca.key
run $cp kube-scheduler "$HK" -v $SSL:$SSL:ro -- kube-scheduler \
  --kubeconfig=$SSL/kube-scheduler.kubeconfig --authentication-kubeconfig=$SSL/kube-scheduler.kubeconfig \
  --authorization-kubeconfig=$SSL/kube-scheduler.kubeconfig --bind-address=127.0.0.1 --leader-elect=true

# --- every node: (nginx-proxy), cri-dockerd, kubelet, kube-proxy
node_dirs="/var/lib/kubelet /var/lib/cri-dockerd /var/lib/cni /etc/cni/net.d /opt/cni/bin /var/log/pods /var/log/containers"
for h in "${hosts[@]}"; do
  on "$h" "mkdir -p $node_dirs"
  [[ $h == "$cp" ]] || run "$h" nginx-proxy zke/nginx-proxy:v1 -e "CP_HOSTS=${ip[$cp]}"
  run "$h" cri-dockerd "zke/cri-dockerd:$CRI_DOCKERD_TAG" --privileged --pid=host \
    -v /run:/run -v /var/lib/cri-dockerd:/var/lib/cri-dockerd -v /var/lib/kubelet:/var/lib/kubelet:shared \
    -v /var/lib/docker:/var/lib/docker:rslave \
    -v /etc/cni:/etc/cni:ro -v /opt/cni:/opt/cni:ro -v /var/lib/cni:/var/lib/cni \
    -v /var/log/pods:/var/log/pods -v /var/log/containers:/var/log/containers -- \
    --container-runtime-endpoint=unix:///run/cri-dockerd.sock --docker-endpoint=unix:///run/docker.sock \
    --network-plugin=cni --cni-bin-dir=/opt/cni/bin --cni-conf-dir=/etc/cni/net.d --cni-cache-dir=/var/lib/cni/cache \
    --pod-infra-container-image="zke/pause:$PAUSE_VERSION" --cri-dockerd-root-directory=/var/lib/cri-dockerd \
    --hairpin-mode=hairpin-veth
  labels=zke.io/lab=true
  [[ $h != zlab2 ]] || labels+=,zke.io/edge=true # the ingress controller runs on zlab2
  run "$h" kubelet "$HK" --privileged --pid=host --ipc=host \
    -v $SSL:$SSL:ro -v /run:/run -v /sys:/sys:rprivate -v /dev:/dev:rprivate -v /var/lib/kubelet:/var/lib/kubelet:shared \
    -v /var/lib/docker:/var/lib/docker:rslave -v /var/log/pods:/var/log/pods -v /var/log/containers:/var/log/containers \
    -v /etc/cni:/etc/cni:ro -v /opt/cni:/opt/cni:ro -v /etc/resolv.conf:/etc/resolv.conf:ro -- kubelet \
    --kubeconfig="$SSL/kube-node-$h.kubeconfig" --hostname-override="$h" --node-ip="${ip[$h]}" \
    --container-runtime-endpoint=unix:///run/cri-dockerd.sock --cgroup-driver=cgroupfs \
    --cgroups-per-qos=false --enforce-node-allocatable= --fail-swap-on=false \
    --client-ca-file=$SSL/kube-ca.crt --anonymous-auth=false --authentication-token-webhook=true \
    --authorization-mode=Webhook --read-only-port=0 \
    --tls-cert-file="$SSL/kube-node-$h-serving.crt" --tls-private-key-file="$SSL/kube-node-$h-serving.key" \
    --cluster-dns=10.43.0.10 --cluster-domain=cluster.local --resolv-conf=/etc/resolv.conf \
    --volume-plugin-dir=/var/lib/kubelet/volumeplugins --node-labels="$labels"
  run "$h" kube-proxy "$HK" --privileged -v $SSL:$SSL:ro -v /run:/run -- kube-proxy \
    --kubeconfig=$SSL/kube-proxy.kubeconfig --hostname-override="$h" --proxy-mode=iptables \
    --cluster-cidr=10.42.0.0/16 --conntrack-max-per-core=0 --healthz-bind-address=127.0.0.1:10256 \
    --metrics-bind-address=127.0.0.1:10249
done
echo "components started; admin kubeconfig: $pki/kube-admin.kubeconfig (paths inside: $SSL)"
