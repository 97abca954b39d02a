# shellcheck shell=bash
# flannel, built with CGO_ENABLED=0 for the lab (which uses the vxlan backend), without two backends:
# - tencentvpc: its SDK module is not served by the Go module proxy
#   (403 "This module version is not available" for tencentcloud-sdk-go/tencentcloud/vpc v1.3.188);
# - udp: needs cgo (pkg/backend/udp: undefined: runCProxy with CGO_ENABLED=0).
sed -i -e '/flannel\/pkg\/backend\/tencentvpc"/d' -e '/flannel\/pkg\/backend\/udp"/d' main.go
