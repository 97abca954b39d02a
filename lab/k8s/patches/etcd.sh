# shellcheck shell=bash
# etcd's modules (server, etcdctl, etcdutl) replace their sibling modules by relative paths (../api) that a
# module download does not have: drop those, so the sibling versions their go.mod requires come from the proxy.
for path in $(sed -nE 's#^\s*(replace\s+)?(go\.etcd\.io/\S+) => \.\./.*#\2#p' go.mod); do
  go mod edit -dropreplace="$path"
done
