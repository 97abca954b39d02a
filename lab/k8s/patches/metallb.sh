# shellcheck shell=bash
# MetalLB v0.16.2 requires github.com/metallb/frr-k8s v0.0.27, which the Go module proxy does not serve
# (403 "This module version is not available"); v0.0.21 is served. Its API lacks the AS-path prepend of
# advertised prefixes (frr-k8s BGP mode only), so that one feature is dropped. zke uses the layer-2 mode.
go mod edit -replace github.com/metallb/frr-k8s=github.com/metallb/frr-k8s@v0.0.21
f=internal/bgp/frrk8s/frrk8s.go
sed -i -e '/PrefixesWithAsPathPrepend: make(\[\]frrv1beta1.AsPathPrependPrefixes, 0),/d' \
  -e '/neighbor.ToAdvertise.PrefixesWithAsPathPrepend = /d' \
  -e '/^func toAdvertiseWithAsPathPrepend/,/^}/d' "$f"
