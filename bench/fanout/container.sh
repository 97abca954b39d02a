# The fan-out job's container step, as Ansible's shell task and the ssh loop run it on a host (sh -s).
# Leaves the container alone when it runs with the wanted generation, else replaces it.
# Env: NAME (container), TOOL (label), GEN (generation: the args say `sleep 3600+GEN`), DIR (certificates).
# The shell traps SIGTERM so that a graceful stop (zke's replace) ends at once, as `docker rm -f` does.
set -e
if [ -n "$(docker ps -q --filter "name=^/$NAME\$" --filter "label=io.zke.bench.gen=$GEN")" ]; then
  echo unchanged
  exit 0
fi
docker rm -f "$NAME" >/dev/null 2>&1 || true
docker run -d --name "$NAME" --label "io.zke.bench=$TOOL" --label "io.zke.bench.gen=$GEN" \
  --network host --restart unless-stopped -v "$DIR:/etc/kubernetes/ssl:ro" \
  zke/tools:v1 sh -c "trap 'exit 0' TERM; sleep $((3600 + GEN)) & wait" >/dev/null
echo changed
