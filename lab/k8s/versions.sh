# shellcheck shell=bash
# Version pins of everything lab/k8s builds (sourced). Only versions the Go module proxy serves.
# shellcheck disable=SC2034 # read by the scripts that source this file
# The version table (model/versions.ts), oldest first. `build.sh --all` builds every one; `build.sh` alone the
# versions npm test provisions (TEST_KUBERNETES_VERSIONS: the RKE cluster test/lab/adopt-rke.test.ts adopts, the
# default version, and the one it upgrades to; the last is the conformance smoke slice's).
KUBERNETES_VERSIONS="v1.30.14 v1.31.14 v1.32.13 v1.33.13 v1.34.4 v1.35.4 v1.36.3 v1.37.2"
TEST_KUBERNETES_VERSIONS="v1.32.13 v1.33.13 v1.34.4"
# etcd, one per minor (model/versions.ts ETCD_RELEASES): server, etcdctl and etcdutl from the Go module proxy
ETCD_VERSIONS="v3.5.36 v3.6.17 v3.7.4"
# cri-dockerd: github.com/Mirantis/cri-dockerd is not served by the proxy; the k3s-io fork is (same
# module path github.com/Mirantis/cri-dockerd, Mirantis' v0.3.19 plus k3s patches).
CRI_DOCKERD_MODULE=github.com/k3s-io/cri-dockerd
CRI_DOCKERD_VERSION=v0.3.19-k3s5
CRI_DOCKERD_TAG=v0.3.19
FLANNEL_VERSION=v0.28.10
# flannel's CNI plugin: github.com/flannel-io/cni-plugin is not served; containernetworking/plugins v0.9.1
# is the last release that still has plugins/meta/flannel. The base plugins come from a current release.
FLANNEL_CNI_VERSION=v0.9.1
CNI_PLUGINS_VERSION=v1.9.1
COREDNS_VERSION=v1.14.7
METRICS_SERVER_VERSION=v0.8.0
TRAEFIK_VERSION=v3.6.12
PAUSE_VERSION=3.10
# busybox of the suite's busybox image, from upstream's source in Debian SUITE's source package (build-busybox.sh)
BUSYBOX_VERSION=1.37.0 BUSYBOX_SUITE=trixie
# MetalLB (LoadBalancer Services): controller and speaker, one image
METALLB_VERSION=v0.16.2
# kube-router's NetworkPolicy controller (canal = flannel + it, as k3s pairs them); v2.1.0 is the one version served
KUBE_ROUTER_VERSION=v2.1.0
# Debian packages of the node base image (kubelet, kube-proxy, cri-dockerd, flannel, kube-router and nginx-proxy
# needs)
BASE_PACKAGES="iptables ipset conntrack ethtool socat util-linux mount iproute2 kmod ca-certificates procps
  containernetworking-plugins nginx libnginx-mod-stream e2fsprogs"
# Debian packages of the conformance suite's test images (lab/k8s/conformance-images.sh): dig and nslookup
# (DNS probes of agnhost and jessie-dnsutils), curl, nc, ip, ping, the httpd and nginx servers, busybox
E2E_PACKAGES="dnsutils curl netcat-openbsd iproute2 iputils-ping procps ca-certificates apache2 nginx-light
  busybox-static"
